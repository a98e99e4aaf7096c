const express = require('express');
const session = require('express-session');
const jwt = require('jsonwebtoken');
const { Strategy: JwtStrategy, ExtractJwt } = require('passport-jwt');
const config = require('./config');

const JWT_SECRET = process.env.JWT_SECRET || 'your-256-bit-secret';  // ok: AUTH-004 (SEC-004 reports fallbacks)

const app = express();
app.use(session({ secret: 'keyboard cat', resave: false, cookie: { secure: true, sameSite: 'lax' } }));  // want: AUTH-004

new JwtStrategy({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: JWT_SECRET }, verify);

app.post('/login', (req, res) => {
  res.json({ token: jwt.sign({ id: 1 }, config.jwt.secret, { expiresIn: '1h' }) });  // want: AUTH-004
});

app.post('/token', (req, res) => {
  res.json({ token: jwt.sign({ id: 1 }, process.env.JWT_SECRET, { expiresIn: '1h' }) });  // ok: AUTH-004
});
