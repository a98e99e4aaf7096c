// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const passport = require('passport');
const { Strategy, ExtractJwt } = require('passport-jwt');
const Staff = require('../models/staff');

const options = {
  jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
  secretOrKey: process.env.HELPDESK_JWT_KEY,
};

passport.use(new Strategy(options, async (claims, done) => {
  try {
    const staff = await Staff.findById(claims.sub);
    return done(null, staff || false);
  } catch (err) {
    return done(err, false);
  }
}));
