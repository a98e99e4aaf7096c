const express = require('express');
const router = express.Router();

// the expected header is built around the configured token: the
// comparison is as timing-unsafe as comparing the token itself
router.post('/internal/reindex', (req, res) => {
  if (req.headers.authorization !== `Bearer ${process.env.ADMIN_TOKEN}`) {  // want: AUTH-007
    return res.sendStatus(401);
  }
  res.json({ ok: true });
});

router.post('/internal/vacuum', (req, res) => {
  if (req.get('Authorization') != 'Bearer ' + process.env.ADMIN_TOKEN) {  // want: AUTH-007
    return res.sendStatus(401);
  }
  res.json({ ok: true });
});

// not secrets: a scheme check and a message built from the user's name
router.post('/internal/ping', (req, res) => {
  if (!req.headers.authorization?.startsWith(`Bearer `)) return res.sendStatus(401);  // ok: AUTH-007
  if (req.body.greeting === `hello ${req.body.name}`) res.json({ ok: true });  // ok: AUTH-007
  res.json({ ok: true });
});

module.exports = router;
