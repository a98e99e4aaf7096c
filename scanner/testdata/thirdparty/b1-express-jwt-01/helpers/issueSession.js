// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const jsonwebtoken = require('jsonwebtoken');

module.exports = function issueSession(memberId, res) {
  const token = jsonwebtoken.sign({ memberId }, process.env.SIGNING_KEY);
  res.status(200).cookie("token", token, {
    maxAge: 30 * 24 * 3600 * 1000,
  }).json({ ok: true, member: memberId });
};
