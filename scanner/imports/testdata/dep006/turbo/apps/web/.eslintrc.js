module.exports = require('eslint-config-custom')
