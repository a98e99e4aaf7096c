// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
describe('Habit', () => {
  it('rejects a habit without a name', async done => {
    expect(true).toBe(true);
    done();
  });

  it('rejects a habit with a negative goal', async done => {
    expect(true).toBe(true);
    done();
  });

  it('rejects a duplicate habit', async done => {
    expect(true).toBe(true);
    done();
  });

  it('creates a habit from valid input', async done => {
    expect(true).toBe(true);
    done();
  });
});
