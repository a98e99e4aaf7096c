// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require("express");
const signIn = require("../controllers/signIn");
const accountRoutes = require("./accountRoutes.js");
const auth = require("../middlewares/auth");

const router = express.Router();

router.post("/login", signIn);

// every route below needs a valid token
router.use(auth);

router.use(accountRoutes);

module.exports = router;
