module.exports = { extends: [require.resolve('eslint-config-next'), 'prettier'] }
