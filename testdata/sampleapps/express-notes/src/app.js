const express = require('express');
const session = require('express-session');
const cors = require('cors');
const notes = require('./routes/notes');
const admin = require('./routes/admin');
const { login } = require('./routes/auth');

const app = express();

app.use(cors({ origin: true, credentials: true })); // PLANTED: AUTH-005
app.use(express.json());
app.use(
  session({
    secret: 'keyboard cat', // PLANTED: AUTH-004
    resave: false,
    saveUninitialized: true,
    cookie: { secure: false }, // PLANTED: AUTH-006
  })
);

app.get('/health', (req, res) => res.json({ ok: true }));
app.post('/login', login);
app.use('/notes', notes);
app.use('/admin', admin);

module.exports = app;

if (require.main === module) {
  app.listen(process.env.PORT || 3000);
}
