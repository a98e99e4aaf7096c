# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
from flask import Flask, make_response, request

app = Flask(__name__)


@app.after_request
def no_caching(reply):
    reply.headers["Cache-Control"] = "no-store"
    return reply


@app.route("/", methods=["GET", "POST"])
def landing():
    if request.method == "GET":
        reply = make_response({"hello": "visitor"})
        reply.set_cookie("token", "guest-0001")
        return reply
    return {"posted": True}
