// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express');
const passport = require('passport');

const session = require('./api/session.route');
const backoffice = require('./backoffice.route');
const mechanics = require('./api/mechanics.route');

const router = express.Router();
router.use('/session', session);
router.use('/admin', backoffice);

// every route below needs a bearer token
router.use(passport.authenticate('jwt', { session: false }));

router.use('/mechanics', mechanics);

module.exports = router;
