// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express')
const { AccountController } = require('../controllers/AccountController.js')

const router = express.Router()

router.post('/login', AccountController.login)
router.post('/register', AccountController.register)

module.exports = { router }
