const express = require('express');
const router = express.Router();
const { addAccount, updateSelf, updateSelfPassword, updateAccounts } = require('../controllers/accounts');

router.post('/users', addAccount);  // ok: AUTH-001
// handlers named for the caller act on the caller
router.put('/users', updateSelf);  // ok: AUTH-001, AUTH-002
router.put('/users/password', updateSelfPassword);  // ok: AUTH-002
router.patch('/users', updateAccounts);  // want: AUTH-002

module.exports = router;
