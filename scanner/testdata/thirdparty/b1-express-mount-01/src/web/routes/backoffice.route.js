// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express');
const { page } = require('../../lib/pages');

const router = express.Router();

router.get('/', (req, res) => {
  res.sendFile(page('backoffice'));
});

module.exports = router;
