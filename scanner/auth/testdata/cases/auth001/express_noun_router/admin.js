const router = require('express').Router();

// mounted at /admin without authentication: 'admin' names the router here, not a guard
router.get('/reports', (req, res) => res.json(reports.all()));  // want: AUTH-001

module.exports = router;
