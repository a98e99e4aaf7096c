const { globSync } = require('glob')
console.log(globSync('packages/*'))
