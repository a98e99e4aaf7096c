// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express');
const requireLogin = require('../middlewares/requireLogin');
const { listGoals, addGoal, editGoal, dropGoal } = require('../controllers/goals');

const router = express.Router();

router.get('/', requireLogin, listGoals);
router.post('/', requireLogin, addGoal);
router.put('/:id', requireLogin, editGoal);
router.delete('/:id', requireLogin, dropGoal);

module.exports = router;
