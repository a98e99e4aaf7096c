// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express');
const router = express.Router();
const tech = require('../controllers/technician');

router.get('/tickets/mine/:id', tech.myTickets);
router.put('/tickets/progress/:tech_id/:ticket_id', tech.recordProgress);
router.put('/tickets/close/:tech_id/:ticket_id', tech.closeTicket);
router.put('/tickets/hand-over/:tech_id/:to_id/:ticket_id', tech.handOver);

module.exports = router;
