const debug = require('debug')('core')
const { version } = require('@x/core/package.json')
module.exports = { version, debug }
