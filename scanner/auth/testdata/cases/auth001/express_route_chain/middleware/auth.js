const jwt = require('jsonwebtoken');

exports.protect = (req, res, next) => {
  try {
    req.user = jwt.verify(req.headers.authorization.split(' ')[1], process.env.JWT_SECRET);
    next();
  } catch {
    res.status(401).json({ message: 'Not authorized' });
  }
};

exports.admin = (req, res, next) => (req.user && req.user.isAdmin ? next() : res.status(403).json({ message: 'Admins only' }));
