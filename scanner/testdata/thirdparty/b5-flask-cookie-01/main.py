# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
from flask import Flask, jsonify, make_response, request

app = Flask(__name__)

VISIT_COUNTER = {"visits": 1}


def store_cookie(reply, name, value, lifetime=None):
    reply.set_cookie(name, value=str(value), max_age=lifetime, httponly=True, secure=True, samesite="Strict")
    return reply


def read_cookie(name):
    return request.cookies.get(name)


@app.route("/visit", methods=["GET"])
def visit():
    reply = make_response(jsonify({"welcome": True}), 200)
    return store_cookie(reply, "visits", VISIT_COUNTER["visits"], lifetime=300)
