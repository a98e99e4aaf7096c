// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const passport = require('passport');
const { Strategy, ExtractJwt } = require('passport-jwt');
const Mechanic = require('../db/models/mechanic');

const strategyOptions = {
  jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
  secretOrKey: process.env.SESSION_KEY,
};

passport.use(new Strategy(strategyOptions, async (claims, done) => {
  try {
    const mechanic = await Mechanic.findByPk(claims.sub);
    return done(null, mechanic || false);
  } catch (err) {
    return done(err, false);
  }
}));

module.exports = passport;
