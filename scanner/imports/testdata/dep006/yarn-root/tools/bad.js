const chalk = require('chalk') // EXPECT chalk: declared only by packages/cli
console.log(chalk.red('x'))
