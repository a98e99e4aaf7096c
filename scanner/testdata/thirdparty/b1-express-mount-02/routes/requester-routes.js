// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express');
const router = express.Router();

module.exports = router;
