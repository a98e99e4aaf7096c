const express = require('express');
const passport = require('passport');
const adminRouter = require('./routes/admin');
const billingRouter = require('./routes/billing');

const app = express();
app.use('/admin', passport.authenticate('jwt', { session: false }), adminRouter);
app.use('/billing', billingRouter);
app.get('/healthz', (req, res) => res.send('ok'));  // ok: AUTH-001
module.exports = app;
