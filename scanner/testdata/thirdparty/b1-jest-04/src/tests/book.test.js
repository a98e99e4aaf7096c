// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const request = require("supertest");
const app = require("../app");

const BOOKS = "/api/v2/books";
const book = { title: "The Quiet Harbour", published: "2019-04-02" };
let bookId;

test("POST books answers 201 with the new book", async () => {
  const reply = await request(app).post(BOOKS).send(book);
  bookId = reply.body.id;

  expect(reply.status).toBe(201);
  expect(reply.body).toBeDefined();
  expect(reply.body.title).toBe(book.title);
});

test("GET books lists the one book", async () => {
  const reply = await request(app).get(BOOKS);

  expect(reply.status).toBe(200);
  expect(reply.body).toBeDefined();
  expect(reply.body).toHaveLength(1);
});

test("DELETE books/:id answers 204", async () => {
  const reply = await request(app).delete(BOOKS + "/" + bookId);

  expect(reply.status).toBe(204);
});
