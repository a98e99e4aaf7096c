// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express');
const passport = require('passport');
const session = require('express-session');

const app = express();
app.use(session({ secret: 'purple-otter', saveUninitialized: true, resave: false }));
app.use(passport.initialize());
app.use(passport.session());
