// The app lives under src/api/: the auth middleware imported from
// ../middlewares/auth is middleware, not a mounted router.
const express = require('express');
const router = express.Router();
const accountRoutes = require('./accountRoutes.js');
const auth = require('../middlewares/auth');

router.post('/login', (req, res) => res.json({}));  // ok: AUTH-001
router.delete('/cache', (req, res) => res.sendStatus(204));  // want: AUTH-001

router.use(auth);
router.use(accountRoutes);

module.exports = router;
