// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express');

const requestLog = require('./web/middlewares/request-log');
const routes = require('./web/routes');

const server = express();
server.use(express.json());
server.use(requestLog);
server.use(routes);

server.listen(8080);
