module.exports = function (app) {
  app.get('/api/users', (req, res) => res.json([]));  // ok: AUTH-001
  app.delete('/api/users/:id', (req, res) => {  // want: AUTH-002
    res.sendStatus(204);
  });
};
