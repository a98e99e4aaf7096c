// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express');
const requireUser = require('../middleware/requireUser');
const notes = require('../controllers/noteController');

const router = express.Router();

router.get('/', requireUser, notes.listNotes);
router.post('/', requireUser, notes.addNote);
router.delete('/:id', requireUser, notes.removeNote);

module.exports = router;
