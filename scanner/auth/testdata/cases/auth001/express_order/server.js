const express = require('express');
const { requireAuth } = require('./auth');

const app = express();
app.use(express.json());

app.post('/login', (req, res) => res.json({}));  // ok: AUTH-001
app.delete('/api/cache', (req, res) => res.sendStatus(204));  // want: AUTH-001

app.use(requireAuth);

app.delete('/api/items/:id', async (req, res) => {  // ok: AUTH-001
  await Item.deleteOne({ _id: req.params.id, owner: req.user.id });
  res.sendStatus(204);
});
app.get('/api/account', (req, res) => res.json(req.user));  // ok: AUTH-001

app.listen(3000);

const admin = express.Router();
admin.all('*', requireAuth);
admin.delete('/jobs/:id', (req, res) => res.sendStatus(204));  // want: AUTH-002
