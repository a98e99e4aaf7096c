// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express');
const request = require('supertest');

const app = express();
app.get('/greet', (req, res) => {
  res.send('good morning');
});

test('greets the caller', async () => {
  const reply = await request(app).get('/greet');
  expect(reply.text).toBe('good morning');
});
