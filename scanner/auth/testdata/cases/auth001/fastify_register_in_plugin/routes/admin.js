// registered inside the authenticated plugin of app.js: authenticated, but
// no role is checked
module.exports = async function (fastify) {
  fastify.delete('/users/:id', async (request) => users.remove(request.params.id));  // want: AUTH-002
};
