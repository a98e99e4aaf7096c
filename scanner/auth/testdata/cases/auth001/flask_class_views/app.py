from flask import Flask, request
from flask.views import MethodView
from flask_jwt_extended import JWTManager, jwt_required
from flask_restful import Api, Resource
from flask_restx import Namespace
from flask_restx import Resource as RestxResource

from store import db

app = Flask(__name__)
api = Api(app)
jwt = JWTManager(app)
ns = Namespace("reports")


@app.route("/me")
@jwt_required()
def me():  # ok: AUTH-001
    return {"ok": True}


# each HTTP method of a Resource or MethodView is an endpoint
class UserResource(Resource):
    def get(self, user_id):  # want: AUTH-001
        return db.get_user(user_id)

    def delete(self, user_id):  # want: AUTH-001
        db.delete_user(user_id)
        return "", 204


class ItemResource(Resource):
    method_decorators = [jwt_required()]

    def delete(self, item_id):  # ok: AUTH-001, AUTH-002
        db.delete_item(item_id, owner=request.user_id)
        return "", 204


class SettingsAPI(MethodView):
    decorators = [jwt_required()]

    def put(self):  # want: AUTH-002
        db.save_settings(request.json)
        return {"ok": True}


@ns.route("/reports/<int:report_id>")
class ReportResource(RestxResource):
    @jwt_required()
    def get(self, report_id):  # ok: AUTH-001
        return db.get_report(report_id)

    def patch(self, report_id):  # want: AUTH-001
        return db.update_report(report_id, request.json)


class Helper:
    def delete(self, key):  # ok: AUTH-001
        return key


api.add_resource(UserResource, "/users/<int:user_id>")
api.add_resource(ItemResource, "/items/<int:item_id>")
app.add_url_rule("/settings", view_func=SettingsAPI.as_view("settings"))
