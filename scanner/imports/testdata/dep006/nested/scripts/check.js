const prettier = require('prettier')
prettier.check('x', { parser: 'babel' })
