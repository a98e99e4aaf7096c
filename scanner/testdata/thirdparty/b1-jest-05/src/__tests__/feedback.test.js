// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const mongoose = require('mongoose');
const request = require('supertest');

const app = require('../../app');
const seed = require('../../db/seed');
const Workshop = require('../../db/models/Workshop');

beforeAll(async () => {
  await seed();
});

afterAll(async () => {
  await mongoose.disconnect();
});

describe('POST /api/feedback', () => {
  test('stores a feedback form', async done => {
    const workshop = await Workshop.findOne({ track: 'intro' });
    const form = { code: 'ABC', workshopId: workshop._id, stage: 'after-day-2', answers: {} };

    request(app)
      .post('/api/feedback')
      .send(form)
      .expect('Content-Type', /json/)
      .expect(200)
      .end((err, reply) => {
        expect(reply.body).toBeDefined();
        expect(reply.body.saved).toBe(true);
        done(err);
      });
  });
});
