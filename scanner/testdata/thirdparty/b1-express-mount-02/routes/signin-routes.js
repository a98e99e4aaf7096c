// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express');
const router = express.Router();
const signin = require('../controllers/signin');

router.post('/login', signin.login);

router.post('/register', signin.register);

module.exports = router;
