const express = require('express');

const router = express.Router();

// served at /admin/, mounted before the passport middleware
router.get('/', (req, res) => res.sendFile('backoffice/index.html'));  // want: AUTH-001

module.exports = router;
