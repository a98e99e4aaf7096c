const express = require('express');
const router = express.Router();

router.post('/users/:id/ban', (req, res) => {  // want: AUTH-002
  banUser(req.params.id);
  res.sendStatus(204);
});
router.get('/reports', (req, res) => res.json([]));  // ok: AUTH-001

module.exports = router;
