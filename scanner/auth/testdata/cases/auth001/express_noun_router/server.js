const express = require('express');
const requireAuth = require('./requireAuth');
const requireAdmin = require('./requireAdmin');
const admin = require('./admin');
const ops = require('./ops');

const app = express();
app.get('/me', requireAuth, (req, res) => res.json(req.user));  // ok: AUTH-001
app.use('/admin', admin);
app.use('/ops', requireAuth, requireAdmin, ops);
