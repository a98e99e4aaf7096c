const core = require('@x/core')
const yargs = require('yargs')
const debug = require('debug') // EXPECT debug (core's dependency)
