const assert = require('assert')
const { describe, it } = require('mocha')
describe('cli', () => it('loads', () => assert.ok(require('../src/index'))))
