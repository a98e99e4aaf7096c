// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express');
const mechanics = require('../../controllers/mechanics.controller');

const router = express.Router();

router.get('/', mechanics.list);

module.exports = router;
