const express = require('express');
const session = require('express-session');
const cookieSession = require('cookie-session');

const app = express();

// the first secret signs, every one verifies: an old hardcoded one still
// lets anyone who knows it forge a session
app.use(session({
  secret: [process.env.SESSION_SECRET, 'keyboard cat'],  // want: AUTH-004
  resave: false,
  saveUninitialized: false,
  cookie: { secure: true, httpOnly: true, sameSite: 'lax' },
}));

app.use(cookieSession({
  name: 'prefs',
  keys: [process.env.COOKIE_KEY_NEW, process.env.COOKIE_KEY_OLD, 'old-rotated-cookie-key-2023'],  // want: AUTH-004
}));

module.exports = app;
