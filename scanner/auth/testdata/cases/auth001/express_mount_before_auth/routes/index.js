const express = require('express');
const passport = require('passport');

// routers named like middleware (admin, auth) are still routers: their
// module paths say so
const admin = require('./backoffice.route');
const auth = require('./session.route');
const members = require('./members.route');

const router = express.Router();
router.use('/session', auth);
router.use('/admin', admin);
router.use(passport.authenticate('jwt', { session: false }));
router.use('/members', members);

module.exports = router;
