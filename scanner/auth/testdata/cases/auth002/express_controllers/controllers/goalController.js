const asyncHandler = require('express-async-handler');

const updateGoal = asyncHandler(async (req, res) => {
  const goal = await Goal.findById(req.params.id);
  if (goal.user.toString() !== req.user.id) {
    res.status(401);
    throw new Error('User not authorized');
  }
  res.status(200).json(await Goal.findByIdAndUpdate(req.params.id, req.body, { new: true }));
});

const deleteGoal = asyncHandler(async (req, res) => {
  const goal = await Goal.findById(req.params.id);
  await goal.remove();
  res.status(200).json({ id: req.params.id });
});

async function archiveGoal(req, res) {
  if (req.user.role !== 'admin') return res.sendStatus(403);
  res.json(await Goal.updateOne({ _id: req.params.id }, { archived: true }));
}

module.exports = { updateGoal, deleteGoal, archiveGoal };
