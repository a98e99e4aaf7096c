// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const cors = require('cors');
const express = require('express');
const sessionRoutes = require('./routes/session.routes');

const app = express();
app.use(express.json());
app.use(cors({
  credentials: true,
  origin: 'https://studio.example.org',
}));
app.use('/api/session', sessionRoutes);

module.exports = app;
