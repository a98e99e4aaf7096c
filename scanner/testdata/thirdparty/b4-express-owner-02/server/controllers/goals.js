// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const Goal = require('../models/Goal');

const listGoals = async (req, res) => {
  try {
    const goals = await Goal.find({ ownerId: req.userId });
    return res.status(200).json({ count: goals.length, goals });
  } catch (err) {
    return res.status(500).json({ error: 'could not load goals' });
  }
};

const addGoal = async (req, res) => {
  try {
    const goal = await Goal.create({ ...req.body, ownerId: req.userId });
    return res.status(201).json({ goal });
  } catch (err) {
    return res.status(400).json({ error: 'a goal needs a title' });
  }
};

const editGoal = async (req, res) => {
  try {
    const goal = await Goal.findByIdAndUpdate(req.params.id, req.body, { new: true, runValidators: true });
    if (!goal) {
      return res.status(404).json({ error: 'goal not found' });
    }
    return res.status(200).json({ goal });
  } catch (err) {
    return res.status(400).json({ error: 'invalid goal' });
  }
};

const dropGoal = async (req, res) => {
  try {
    const goal = await Goal.findById(req.params.id);
    if (!goal) {
      return res.status(404).json({ error: 'goal not found' });
    }
    await goal.deleteOne();
    return res.status(200).json({ dropped: req.params.id });
  } catch (err) {
    return res.status(500).json({ error: 'could not drop the goal' });
  }
};

module.exports = { listGoals, addGoal, editGoal, dropGoal };
