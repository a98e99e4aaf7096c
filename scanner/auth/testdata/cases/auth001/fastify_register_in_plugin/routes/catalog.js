// registered beside the authenticated plugin: no hook reaches it
module.exports = async function (fastify) {
  fastify.delete('/products/:id', async (request) => products.remove(request.params.id));  // want: AUTH-001
};
