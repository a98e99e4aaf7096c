const express = require('express');
const session = require('express-session');

const app = express();
app.use(session({ secret: process.env.S, resave: false }));  // want: AUTH-006
app.use(session({ secret: process.env.S, cookie: { secure: true, sameSite: 'strict' } }));  // ok: AUTH-006
app.use(session({ secret: process.env.S, cookie: { secure: process.env.NODE_ENV === 'production', sameSite: 'lax' } }));  // want: AUTH-006

app.post('/login', (req, res) => {
  const token = issue(req.user);
  res.cookie('token', token);  // want: AUTH-006
  res.cookie('refreshToken', token, { httpOnly: true, secure: true });  // want: AUTH-006
  res.cookie('token', token, { httpOnly: true, secure: true, sameSite: 'strict' });  // ok: AUTH-006
  res.cookie('locale', 'en');  // ok: AUTH-006
  res.cookie('token', token, cookieOptions);  // ok: AUTH-006
  res.json({ ok: true });
});
