const express = require('express');
const { requireAuth } = require('./auth');
const db = require('./db');

const app = express();
app.use(express.json());

app.get('/api/me', requireAuth, (req, res) => res.json(req.user));

// words that make reads public by design (public, live, theme, docs) do not
// make an update or deletion of someone's resource public
app.put('/api/users/:id/public-key', async (req, res) => {  // want: AUTH-001
  await db.users.update(req.params.id, { publicKey: req.body.key });
  res.sendStatus(204);
});

app.delete('/api/live-streams/:id', async (req, res) => {  // want: AUTH-001
  await db.streams.delete(req.params.id);
  res.sendStatus(204);
});

app.post('/api/users/:id/theme', async (req, res) => {  // want: AUTH-001
  await db.users.update(req.params.id, { theme: req.body.theme });
  res.sendStatus(204);
});

app.delete('/api/docs/:docId', async (req, res) => {  // want: AUTH-001
  await db.documents.delete(req.params.docId);
  res.sendStatus(204);
});

// still public by design: reads and a theme cookie without a resource
app.get('/api/public/stats', async (req, res) => res.json(await db.stats())); // ok: AUTH-001
app.get('/api/live', (req, res) => res.json({ ok: true })); // ok: AUTH-001
app.post('/api/theme', (req, res) => { res.cookie('theme', req.body.theme); res.sendStatus(204); }); // ok: AUTH-001

module.exports = app;
