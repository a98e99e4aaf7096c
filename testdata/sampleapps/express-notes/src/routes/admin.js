const express = require('express');

const router = express.Router();

router.get('/users', (req, res) => { // PLANTED: AUTH-001
  res.json([{ id: 1, email: 'admin@example.com' }]);
});

router.post('/reindex', (req, res) => { // PLANTED: AUTH-001
  res.status(202).json({ started: true });
});

module.exports = router;
