const express = require('express');
const app = express();
app.use('/api/goals', require('./routes/goalRoutes'));
app.listen(5000);
