from flask import Flask, abort, request
from flask_login import LoginManager, current_user, login_required

app = Flask(__name__)
login_manager = LoginManager(app)


@app.route("/login", methods=["GET", "POST"])
def login():  # ok: AUTH-001
    return "login"


@app.route("/profile")
@login_required
def profile():  # ok: AUTH-001
    return current_user.name


@app.route("/admin/users/<int:uid>/delete", methods=["POST"])  # want: AUTH-001
def delete_user(uid):
    return "deleted"


@app.route("/settings", methods=["GET", "POST"])  # want: AUTH-001
def settings():
    return "settings"


@app.route("/posts/<int:pid>", methods=["DELETE"])
def delete_post(pid):  # ok: AUTH-001
    if not current_user.is_authenticated:
        abort(401)
    post = get_post(pid)
    if post.author_id != current_user.id:
        abort(403)
    return "ok"


@app.route("/about")
def about():
    return "about"
