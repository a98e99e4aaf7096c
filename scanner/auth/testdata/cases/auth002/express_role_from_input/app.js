const express = require('express');
const { requireAuth } = require('./middleware/auth');
const User = require('./models/user');

const app = express();
app.use(express.json());

// Any signed-in user can make anyone an admin: the role is the input.
app.put('/users/:id/role', requireAuth, async (req, res) => {  // want: AUTH-002
  const user = await User.findById(req.params.id);
  user.role = req.body.role;
  await user.save();
  res.json(user);
});

app.put('/users/:id/plan', requireAuth, async (req, res) => {  // ok: AUTH-001, AUTH-002
  if (req.user.role !== 'admin') return res.status(401).json({ error: 'admins only' });
  const user = await User.findByIdAndUpdate(req.params.id, { plan: req.body.plan }, { new: true });
  res.json(user);
});

module.exports = app;
