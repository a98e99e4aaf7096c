import { execa } from 'execa'
await execa('npm', ['publish', '--workspaces'])
