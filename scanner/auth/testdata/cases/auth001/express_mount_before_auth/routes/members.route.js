const express = require('express');

const router = express.Router();
router.delete('/:id', (req, res) => {  // ok: AUTH-001
  if (req.user.id !== req.params.id) return res.sendStatus(403);
  res.sendStatus(204);
});

module.exports = router;
