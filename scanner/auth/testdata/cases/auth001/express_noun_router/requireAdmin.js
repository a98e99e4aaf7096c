module.exports = (req, res, next) => (req.user && req.user.role === 'admin' ? next() : res.sendStatus(403));
