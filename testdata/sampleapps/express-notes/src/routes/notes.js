const express = require('express');
const { requireAuth } = require('../middleware/auth');

const router = express.Router();
const notes = new Map();

router.use(requireAuth);

router.get('/', (req, res) => {
  res.json([...notes.values()].filter((n) => n.owner === req.user.sub));
});

router.put('/:id', (req, res) => { // PLANTED: AUTH-002
  notes.set(req.params.id, { ...req.body, id: req.params.id });
  res.json(notes.get(req.params.id));
});

router.delete('/:id', (req, res) => {
  const note = notes.get(req.params.id);
  if (!note || note.owner !== req.user.sub) {
    return res.status(404).end();
  }
  notes.delete(req.params.id);
  res.status(204).end();
});

module.exports = router;
