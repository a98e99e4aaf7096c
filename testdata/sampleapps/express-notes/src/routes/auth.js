const jwt = require('jsonwebtoken');
const config = require('../config');

function login(req, res) {
  const { username } = req.body;
  const token = jwt.sign({ sub: username }, config.jwtSecret); // PLANTED: AUTH-003
  res.json({ token });
}

module.exports = { login };
