// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require("express");
const requireToken = require("../../middleware/requireToken");
const Comment = require("../../models/comment");

const router = express.Router();

router.delete("/comment/:id", requireToken, async (req, res) => {
  try {
    const removed = await Comment.findByIdAndDelete(req.params.id);
    if (!removed) {
      return res.status(404).json({ error: "no such comment" });
    }
    return res.json(removed);
  } catch (err) {
    return res.status(500).json({ error: "could not remove the comment" });
  }
});
module.exports = router;
