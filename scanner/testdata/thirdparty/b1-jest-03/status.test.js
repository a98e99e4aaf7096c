// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require("express");
const request = require("supertest");

const app = express();
app.get("/status", (req, res) => {
  res.send("all systems go");
});

describe("GET /status", () => {
  it("reports that everything runs", async () => {
    const reply = await request(app).get("/status");
    expect(reply.statusCode).toBe(200);
    expect(reply.text).toBe("all systems go");
  });
});
