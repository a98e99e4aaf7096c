// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const jwt = require("jsonwebtoken");
exports.issueAccessToken = (member) => jwt.sign({ sub: member.id }, process.env.ACCESS_SECRET, { expiresIn: "7d" });
