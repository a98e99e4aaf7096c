// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const request = require('supertest');
const server = require('../server.js');

test('exports the server', () => {
  expect(server).toBeDefined();
});

test('GET /health answers 200', () => {
  return request(server)
    .get('/health')
    .expect(200);
});
