import { createRoot } from 'react-dom/client'
import { pairs } from '@myorg/util'
import _ from 'lodash'
createRoot(document.body).render(<p>{String(pairs(_.range(4)))}</p>)
