const express = require('express');

const router = express.Router();
router.post('/login', (req, res) => res.json({}));  // ok: AUTH-001

module.exports = router;
