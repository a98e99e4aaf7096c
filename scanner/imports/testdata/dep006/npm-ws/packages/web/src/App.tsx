import React from 'react'
import { createRoot } from 'react-dom/client'
import { schema } from '@acme/shared'
import { title } from './format'
export function App() { return <h1>{title(String(schema))}</h1> }
createRoot(document.getElementById('root')!).render(<App />)
