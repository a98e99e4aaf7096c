import chalk from 'chalk'
import { program } from 'commander'
program.action(() => console.log(chalk.green('ok'))).parse()
