// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express')
const { verifyToken } = require('../middlewares/verifyToken.js')
const { router: accountsRouter } = require('./accounts.js')

const router = express.Router()

router.use('/accounts', accountsRouter)

router.use(verifyToken)

module.exports = { router }
