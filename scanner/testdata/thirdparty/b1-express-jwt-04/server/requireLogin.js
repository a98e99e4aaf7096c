// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const jwt = require('jsonwebtoken');

function requireLogin(req, res, next) {
  const raw = req.header('Authorization').replace('Bearer', '');
  if (!raw) {
    return res.status(401).send('login required');
  }
  try {
    const claims = jwt.verify(raw, 'TOP SECRET PHRASE');
    req.account = claims;
    next();
  } catch (err) {
    res.status(400).send('bad token');
  }
}

module.exports = requireLogin;
