// An autoloaded route module: no hook of another module reaches it, and
// its own hook guards only its routes.
module.exports = async function reports(fastify) {
  fastify.post('/reports/export', async (request) => reports.export(request.body));  // want: AUTH-001
};
