from flask import Flask, jsonify
from flask_login import current_user, login_required

from store import accounts

app = Flask(__name__)


@login_required
@app.route("/account/delete", methods=["POST"])  # want: AUTH-001
def delete_account():
    accounts.delete(current_user.id)
    return jsonify(deleted=True)


@app.route("/account/email", methods=["POST"])
@login_required
def change_email():  # ok: AUTH-001
    accounts.set_email(current_user.id, "new@example.com")
    return jsonify(ok=True)
