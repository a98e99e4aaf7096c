const express = require('express');
const { protect, admin } = require('./middleware/auth');
const users = require('./controllers/users');

const router = express.Router();

// router.route(path) chains one handler per method; each link is a route
router.route('/').get(protect, admin, users.list);
router
  .route('/:id')
  .delete(protect, admin, users.remove)
  .get(protect, admin, users.show)
  .put(users.update);  // want: AUTH-001
router.route('/export').post(users.exportAll);  // want: AUTH-001
router.route('/:id/role').all(protect, admin).patch(users.setRole);  // ok: AUTH-001, AUTH-002

module.exports = router;
