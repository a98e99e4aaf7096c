from flask import Flask, abort, g
from flask_login import login_required

app = Flask(__name__)


def load_note(note_id, must_own=True):
    note = db.execute("SELECT * FROM note WHERE id = ?", (note_id,)).fetchone()
    if must_own and note["owner_id"] != g.user["id"]:
        abort(403)
    return note


def fetch(note_id):
    return db.execute("SELECT * FROM note WHERE id = ?", (note_id,)).fetchone()


@app.route("/<int:note_id>/delete", methods=("POST",))
@login_required
def delete_note(note_id):  # ok: AUTH-002
    load_note(note_id)
    db.execute("DELETE FROM note WHERE id = ?", (note_id,))


@app.route("/<int:note_id>/archive", methods=("DELETE",))
@login_required
def archive(note_id):  # want: AUTH-002
    fetch(note_id)
    db.execute("UPDATE note SET archived = 1 WHERE id = ?", (note_id,))
