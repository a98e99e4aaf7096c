const crypto = require('crypto');
const { sign } = require('./helpers');

function signUpload(body) {
  return sign(body, 'not-a-jwt-secret-value');  // ok: AUTH-004
}
const hmac = crypto.createHmac('sha256', process.env.WEBHOOK_SECRET);  // ok: AUTH-004
