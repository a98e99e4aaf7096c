const jwt = require('jsonwebtoken');
const config = require('../config');

function requireAuth(req, res, next) {
  const header = req.headers.authorization || '';
  const token = header.replace('Bearer ', '');
  try {
    req.user = jwt.verify(token, config.jwtSecret, { ignoreExpiration: true }); // PLANTED: AUTH-003
    next();
  } catch (err) {
    res.status(401).json({ error: 'unauthorized' });
  }
}

function requireApiKey(req, res, next) {
  if (req.headers['x-api-key'] === config.apiKey) { // PLANTED: AUTH-007
    return next();
  }
  res.status(403).end();
}

module.exports = { requireAuth, requireApiKey };
