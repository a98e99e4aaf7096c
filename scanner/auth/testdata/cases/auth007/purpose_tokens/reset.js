const express = require('express');
const router = express.Router();

router.post('/password/reset/confirm', async (req, res) => {
  const account = await Account.findOne({ email: req.body.email });
  if (account.resetToken === undefined) return res.sendStatus(400);  // ok: AUTH-007
  if (req.body.token == account.resetToken) {  // want: AUTH-007
    await account.setPassword(req.body.password);
  }
  if (account.resetCount === req.body.count) return res.sendStatus(409);  // ok: AUTH-007
  res.sendStatus(204);
});

module.exports = router;
