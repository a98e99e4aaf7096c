const express = require('express');
const { ensureLoggedIn } = require('connect-ensure-login');
const todos = require('./todos');

const app = express();

// the data layer is handed the caller's id: it deletes only their todo
app.post('/todos/:id/delete', ensureLoggedIn('/login'), async (req, res) => {  // ok: AUTH-001, AUTH-002
  await todos.remove(req.params.id, req.user.id);
  res.redirect('/');
});

// here it is not: any signed-in user deletes anyone's
app.delete('/todos/:id', ensureLoggedIn('/login'), async (req, res) => {  // want: AUTH-002
  await todos.audit(req.user.id, 'delete');
  await todos.remove(req.params.id);
  res.sendStatus(204);
});

module.exports = app;
