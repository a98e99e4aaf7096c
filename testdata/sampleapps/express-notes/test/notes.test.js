const request = require('supertest');
const app = require('../src/app');

describe('notes API', () => {
  it('reports health', async () => {
    const res = await request(app).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
  });

  it('logs in', async () => { // PLANTED: TEST-003
    const res = await request(app).post('/login').send({ username: 'a' });
    expect(res.body.token).toMatch(/^ey/);
  });

  it('lists notes', async () => { // PLANTED: TEST-001
    await request(app).get('/notes').set('Authorization', 'Bearer x');
  });

  it('deletes a note', async () => {
    try {
      await request(app).delete('/notes/1').expect(204);
    } catch (e) {} // PLANTED: TEST-004
  });

  it.skip('updates a note', async () => {
    const res = await request(app).put('/notes/1').send({ text: 'x' });
    expect(res.status).toBe(200);
  });
});
