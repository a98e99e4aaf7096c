// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require("express");
const cors = require("cors");
const accountRoutes = require("./routes/accountRoutes");

const app = express();
app.use(cors({
  origin: "http://localhost:3000", // the dev front end
  credentials: true, // cookies travel with requests
}));
app.use(express.json());
app.use("/api/account", accountRoutes);

module.exports = app;
