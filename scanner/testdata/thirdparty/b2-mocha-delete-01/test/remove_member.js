// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const axios = require("axios");
const { expect } = require("chai");
const { before } = require("mocha");

const { BASE_URL, seedMember } = require("./helpers");

let member;

before(async () => {
  member = await seedMember();
});

describe("removing a member", function () {
  it("answers 200 with the removed record", async () => {
    const reply = await axios.delete(BASE_URL + "/members/" + member.id);
    expect(reply.status).to.equal(200);
    expect(reply.data).to.be.an("object");
  });
});
