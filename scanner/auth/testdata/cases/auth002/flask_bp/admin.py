from flask import Blueprint, abort, session
from flask_jwt_extended import jwt_required
from flask_security import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
api = Blueprint("api", __name__)


@bp.before_request
def guard():
    if "user_id" not in session:
        abort(401)


@bp.route("/users/<int:uid>", methods=["DELETE"])
def remove_user(uid):  # want: AUTH-002
    return "ok"


@api.route("/things/<int:tid>", methods=["PUT"])
@jwt_required()
def update_thing(tid):  # want: AUTH-002
    return "ok"


@api.route("/things/<int:tid>", methods=["DELETE"])
@roles_required("admin")
def delete_thing(tid):  # ok: AUTH-001, AUTH-002
    return "ok"
