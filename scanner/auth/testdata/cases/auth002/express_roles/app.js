import express from 'express';
import { authenticate, requireRole } from './middleware/auth.js';

const app = express();
const api = express.Router();

app.use('/api', authenticate);
app.use('/api', api);

app.delete('/api/projects/:id', async (req, res) => {  // want: AUTH-002
  await Project.destroy({ where: { id: req.params.id } });
  res.sendStatus(204);
});

app.put('/api/projects/:id', requireRole('admin'), async (req, res) => {  // ok: AUTH-002
  res.json(await Project.update(req.body, { where: { id: req.params.id } }));
});

app.delete('/api/notes/:id', async (req, res) => {  // ok: AUTH-002
  await Note.destroy({ where: { id: req.params.id, userId: req.user.id } });
  res.sendStatus(204);
});

api.patch('/settings', (req, res) => {  // want: AUTH-002
  saveSettings(req.body);
  res.sendStatus(204);
});

app.post('/api/admin/reindex', (req, res) => {  // ok: AUTH-002
  if (!req.user.isAdmin) return res.sendStatus(403);
  reindex();
  res.sendStatus(202);
});

app.get('/api/users/:id', (req, res) => res.json({}));  // ok: AUTH-001
