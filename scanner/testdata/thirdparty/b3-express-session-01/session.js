// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express');
const session = require('express-session');

const server = express();
const sessionOptions = {
  name: 'sid',
  resave: false,
  saveUninitialized: false,
  secret: process.env.COOKIE_SIGNING_SECRET,
  cookie: { secure: false, maxAge: 3600000 }, // TLS terminates elsewhere for now
};
server.use(session(sessionOptions));
