const jwt = require('jsonwebtoken');
const { SignJWT } = require('jose');
const pdf = require('pdf-lib');

function issue(user) {
  return jwt.sign({ sub: user.id }, process.env.JWT_SECRET);  // want: AUTH-003
}

function issueLong(user) {
  return jwt.sign({ sub: user.id }, process.env.JWT_SECRET, { expiresIn: '30d' });  // want: AUTH-003
}

function issueShort(user) {
  return jwt.sign({ sub: user.id }, process.env.JWT_SECRET, { expiresIn: '15m' });  // ok: AUTH-003
}

function issueRefresh(user) {
  return jwt.sign({ sub: user.id }, process.env.REFRESH_SECRET, { expiresIn: '30d' });  // ok: AUTH-003
}

function issueExpClaim(user) {
  return jwt.sign({ sub: user.id, exp: Math.floor(Date.now() / 1000) + 600 }, process.env.JWT_SECRET);  // ok: AUTH-003
}

function check(token) {
  return jwt.verify(token, process.env.JWT_SECRET, { ignoreExpiration: true });  // want: AUTH-003
}

async function joseToken(user, key) {
  return new SignJWT({ sub: user.id })  // want: AUTH-003
    .setProtectedHeader({ alg: 'HS256' })
    .sign(key);
}

async function joseLong(user, key) {
  return new SignJWT({ sub: user.id })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('90d')  // want: AUTH-003
    .sign(key);
}

async function joseOk(user, key) {
  return new SignJWT({ sub: user.id }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('2h').sign(key);  // ok: AUTH-003
}

function signDoc(doc, key) {
  return pdf.sign(doc, key);  // ok: AUTH-003
}
