const router = require('express').Router();

router.get('/queues', (req, res) => res.json(queues.stats()));  // ok: AUTH-001
router.delete('/queues/:name', (req, res) => res.sendStatus(204));  // ok: AUTH-001, AUTH-002

module.exports = router;
