const express = require('express');
const router = express.Router();
const { updateGoal, deleteGoal, archiveGoal } = require('../controllers/goalController');
const { protect } = require('../middleware/authMiddleware');
const goals = require('../controllers/goalController');

router.put('/:id', protect, updateGoal);  // ok: AUTH-002
router.delete('/:id', protect, deleteGoal);  // want: AUTH-002
router.patch('/:id/archive', protect, goals.archiveGoal);  // ok: AUTH-002

module.exports = router;
