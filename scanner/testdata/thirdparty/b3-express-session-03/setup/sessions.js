// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express');
const passport = require('passport');
const session = require('express-session');

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: false }));

app.use(session({
  secret: "secret",
  resave: true,
  saveUninitialized: true,
}));

app.use(passport.initialize());
app.use(passport.session());

app.listen(5050);
