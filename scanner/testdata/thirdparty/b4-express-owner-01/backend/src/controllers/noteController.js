// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const Note = require('../models/Note');

exports.listNotes = async (req, res) => {
  try {
    const notes = await Note.find({ author: req.user.id }).sort({ updatedAt: -1 });
    res.json(notes);
  } catch (err) {
    res.status(500).json({ error: 'could not load notes' });
  }
};

exports.addNote = async (req, res) => {
  const { text } = req.body;
  if (!text) {
    return res.status(400).json({ error: 'text is required' });
  }
  try {
    const note = await Note.create({ author: req.user.id, text });
    res.status(201).json(note);
  } catch (err) {
    res.status(500).json({ error: 'could not save the note' });
  }
};

exports.removeNote = async (req, res) => {
  try {
    const removed = await Note.findOneAndDelete({ _id: req.params.id, author: req.user.id });
    if (!removed) {
      return res.status(404).json({ error: 'note not found' });
    }
    res.json({ removed: removed.id });
  } catch (err) {
    res.status(500).json({ error: 'could not remove the note' });
  }
};
