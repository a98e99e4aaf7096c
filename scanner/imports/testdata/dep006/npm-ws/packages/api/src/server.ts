import express from 'express'
import _ from 'lodash'
import { z } from 'zod'
import { readFileSync } from 'node:fs'
import { schema } from '@acme/shared'
const app = express()
app.get('/', (_req, res) => res.json(_.pick(z.object({}).parse({}), [])))
export default app
