const { requireUser } = require('./middleware');

module.exports = function mount(router) {
  router.get('/profile', requireUser, (req, res) => res.json(req.user));  // ok: AUTH-001
  router.delete('/profile/avatar', (req, res) => res.sendStatus(204));  // want: AUTH-001
};
