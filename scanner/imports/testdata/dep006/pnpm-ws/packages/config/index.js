module.exports = { region: 'eu' }
