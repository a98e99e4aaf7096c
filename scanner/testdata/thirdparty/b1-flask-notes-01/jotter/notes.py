# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.exceptions import abort

from jotter.accounts import login_required
from jotter.storage import connection

bp = Blueprint("notes", __name__)


@bp.route("/")
def home():
    rows = connection().execute("SELECT id, heading, text, owner_id FROM note ORDER BY id DESC").fetchall()
    return render_template("notes/list.html", notes=rows)


def load_note(note_id, must_own=True):
    note = connection().execute("SELECT id, heading, text, owner_id FROM note WHERE id = ?", (note_id,)).fetchone()
    if note is None:
        abort(404, f"note {note_id} not found")
    if must_own and note["owner_id"] != g.user["id"]:
        abort(403)
    return note


@bp.route("/new", methods=("GET", "POST"))
@login_required
def new_note():
    if request.method == "POST":
        conn = connection()
        conn.execute("INSERT INTO note (heading, text, owner_id) VALUES (?, ?, ?)", (request.form["heading"], request.form["text"], g.user["id"]))
        conn.commit()
        return redirect(url_for("notes.home"))
    return render_template("notes/new.html")


@bp.route("/<int:note_id>/edit", methods=("GET", "POST"))
@login_required
def edit_note(note_id):
    note = load_note(note_id)
    if request.method == "POST":
        conn = connection()
        conn.execute("UPDATE note SET heading = ?, text = ? WHERE id = ?", (request.form["heading"], request.form["text"], note_id))
        conn.commit()
        return redirect(url_for("notes.home"))
    return render_template("notes/edit.html", note=note)


@bp.route("/<int:note_id>/delete", methods=("POST",))
@login_required
def delete_note(note_id):
    load_note(note_id)
    conn = connection()
    conn.execute("DELETE FROM note WHERE id = ?", (note_id,))
    conn.commit()
    return redirect(url_for("notes.home"))
