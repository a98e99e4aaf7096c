// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express');
const passport = require('passport');
require('./middlewares/jwt-strategy');
const signinRoutes = require('./routes/signin-routes');
const adminRoutes = require('./routes/admin-routes');
const requesterRoutes = require('./routes/requester-routes');
const technicianRoutes = require('./routes/technician-routes');

const app = express();

app.use(express.json());

app.use('/', signinRoutes);
app.use('/admin', passport.authenticate('jwt', { session: false }), adminRoutes);
app.use('/requester', requesterRoutes);
app.use('/technician', technicianRoutes);

module.exports = app;
