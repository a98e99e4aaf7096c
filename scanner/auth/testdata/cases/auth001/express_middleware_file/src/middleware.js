const jwt = require('jsonwebtoken');

// an Express project's middleware collection, not Next.js middleware
exports.requireUser = (req, res, next) => {
  try {
    req.user = jwt.verify(req.get('Authorization'), process.env.JWT_KEY);
    next();
  } catch (e) {
    res.status(401).end();
  }
};
