const express = require('express');
const { verifyToken } = require('./auth');

const app = express();
app.use(verifyToken);
require('./routes/users')(app);
app.listen(3000);
