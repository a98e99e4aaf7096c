// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require("express");
const {
  addAccount,
  listAccounts,
  updateSelf,
  updateSelfPassword,
} = require("../controllers/accounts");

const router = express.Router();

router.post("/users", addAccount);
router.get("/users", listAccounts);
router.put("/users", updateSelf);
router.put("/users/password", updateSelfPassword);

module.exports = router;
