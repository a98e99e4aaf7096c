const express = require('express');
const cors = require('cors');

const allowed = ['https://app.example.com'];
const app = express();

// origin written as a method: it still accepts every Origin
app.use('/api', cors({ origin(origin, callback) { callback(null, true); }, credentials: true }));  // want: AUTH-005
app.use('/partners', cors({
  origin(origin, callback) {  // ok: AUTH-005
    if (!origin || allowed.includes(origin)) return callback(null, true);
    return callback(new Error('not allowed'));
  },
  credentials: true,
}));

module.exports = app;
