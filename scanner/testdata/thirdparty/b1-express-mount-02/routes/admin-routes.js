// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const express = require('express');
const router = express.Router();
const admin = require('../controllers/admin');

// staff accounts
router.get('/users', admin.listStaff);
router.post('/users/create', admin.createStaff);
router.put('/users/edit/:id', admin.editStaff);
router.delete('/users/remove/:id', admin.removeStaff);
router.delete('/users/remove-many', admin.removeManyStaff);

// roles
router.get('/roles', admin.listRoles);
router.put('/roles/edit/:id', admin.editRole);
router.delete('/roles/remove/:id', admin.removeRole);

module.exports = router;
