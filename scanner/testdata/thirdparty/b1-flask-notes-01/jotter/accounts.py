# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
import functools

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from jotter.storage import connection

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


def login_required(view):
    @functools.wraps(view)
    def guarded(**kwargs):
        if g.user is None:
            return redirect(url_for("accounts.login"))
        return view(**kwargs)

    return guarded


@bp.before_app_request
def attach_user():
    uid = session.get("uid")
    g.user = None
    if uid is not None:
        g.user = connection().execute("SELECT * FROM account WHERE id = ?", (uid,)).fetchone()


@bp.route("/register", methods=("GET", "POST"))
def register():
    if request.method == "POST":
        conn = connection()
        conn.execute(
            "INSERT INTO account (handle, pw_hash) VALUES (?, ?)",
            (request.form["handle"], generate_password_hash(request.form["password"])),
        )
        conn.commit()
        return redirect(url_for("accounts.login"))
    return render_template("accounts/register.html")


@bp.route("/login", methods=("GET", "POST"))
def login():
    if request.method == "POST":
        row = connection().execute("SELECT * FROM account WHERE handle = ?", (request.form["handle"],)).fetchone()
        if row is None or not check_password_hash(row["pw_hash"], request.form["password"]):
            flash("Unknown handle or wrong password.")
        else:
            session.clear()
            session["uid"] = row["id"]
            return redirect(url_for("home"))
    return render_template("accounts/login.html")


@bp.route("/logout")
def logout():
    session.clear()
    return redirect(url_for("home"))
