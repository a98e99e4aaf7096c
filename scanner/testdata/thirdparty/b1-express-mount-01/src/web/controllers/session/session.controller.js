// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const bcrypt = require('bcryptjs');
const jwt = require('jsonwebtoken');
const Mechanic = require('../../../db/models/mechanic');

module.exports = {
  async signIn(req, res) {
    const { login, secret } = req.body;
    try {
      const mechanic = await Mechanic.findOne({ where: { login } });
      if (!mechanic || !(await bcrypt.compare(secret, mechanic.secretHash))) {
        return res.status(401).json({ error: 'unknown login' });
      }
      const lifetime = 3600;
      const token = jwt.sign({ sub: mechanic.id }, process.env.SESSION_KEY, { expiresIn: lifetime });
      return res.json({ token, lifetime });
    } catch (err) {
      return res.status(500).json({ error: 'sign-in failed' });
    }
  },
};
