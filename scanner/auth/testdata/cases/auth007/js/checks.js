const crypto = require('crypto');

function verifyWebhook(req) {
  const digest = crypto.createHmac('sha256', process.env.SECRET).update(req.rawBody).digest('hex');
  if (req.headers['x-hub-signature-256'] !== digest) {  // want: AUTH-007
    throw new Error('bad');
  }
  return crypto.timingSafeEqual(Buffer.from(digest), Buffer.from(req.headers['x-sig']));  // ok: AUTH-007
}

function apiKey(req, res, next) {
  if (req.get('x-api-key') === process.env.API_KEY) return next();  // want: AUTH-007
  if (req.query.token !== config.token) return res.sendStatus(401);  // want: AUTH-007
  return next();
}

function login(user, password) {
  if (user.password === password) return true;  // want: AUTH-007
  if (password === undefined) return false;  // ok: AUTH-007
  if (password === null) return false;  // ok: AUTH-007
  if (password.length === 0) return false;  // ok: AUTH-007
  if (typeof token === 'string') return false;  // ok: AUTH-007
  return false;
}

function signup(req) {
  if (req.body.password !== req.body.confirmPassword) throw new Error('mismatch');  // ok: AUTH-007
  if (req.body.tokenType === TOKEN_TYPES.REFRESH) return 1;  // ok: AUTH-007
  if (token === '') return 2;  // ok: AUTH-007
  if (secret === true) return 3;  // ok: AUTH-007
  return 0;
}

function verifySignature(received, computed) {
  return received === computed;  // want: AUTH-007
}
