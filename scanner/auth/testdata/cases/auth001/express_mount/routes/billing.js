const { Router } = require('express');
const router = Router();

router.post('/payments/refund', (req, res) => {  // want: AUTH-001
  refund(req.body.paymentId);
  res.json({ ok: true });
});

module.exports = router;
