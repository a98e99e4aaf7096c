# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
from flask import Flask, jsonify, request
from flask_jwt_extended import JWTManager, create_access_token, get_jwt_identity, jwt_required

app = Flask(__name__)

app.config["JWT_SECRET_KEY"] = "change-me-please"
tokens = JWTManager(app)


@app.route("/session", methods=["POST"])
def open_session():
    body = request.get_json()
    login = body.get("login")
    password = body.get("password")
    if login != "demo" or password != "demo":
        return jsonify({"error": "wrong credentials"}), 401
    return jsonify(token=create_access_token(identity=login))


@app.route("/whoami", methods=["GET"])
@jwt_required()
def whoami():
    return jsonify(user=get_jwt_identity()), 200
