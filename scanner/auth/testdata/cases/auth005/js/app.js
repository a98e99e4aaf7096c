const express = require('express');
const cors = require('cors');
const passport = require('passport');

const app = express();
app.use(passport.authenticate('session'));
app.use(cors({ origin: true, credentials: true }));  // want: AUTH-005
app.use(cors());  // want: AUTH-005
app.use(cors({ origin: /example\.com/, credentials: true }));  // want: AUTH-005
app.use(cors({ origin: (origin, cb) => cb(null, true), credentials: true }));  // want: AUTH-005
app.use(cors({ origin: ['https://app.example.com', 'null'] }));  // want: AUTH-005
app.use(cors({ origin: 'https://app.example.com', credentials: true }));  // ok: AUTH-005
app.use(cors({ origin: /^https:\/\/([a-z]+\.)?example\.com$/, credentials: true }));  // ok: AUTH-005
app.use(cors({ origin: (origin, cb) => cb(null, allowed.includes(origin)), credentials: true }));  // ok: AUTH-005

app.use((req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin);  // want: AUTH-005
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  next();
});

app.use((req, res, next) => {
  const origin = req.headers.origin;
  if (ALLOWED_ORIGINS.includes(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);  // ok: AUTH-005
  }
  next();
});
