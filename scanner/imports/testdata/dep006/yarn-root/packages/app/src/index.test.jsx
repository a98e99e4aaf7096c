const { Root } = require('./index')
test('root', () => { expect(Root).toBeDefined() })
