from flask import Flask, make_response

app = Flask(__name__)
app.config["SESSION_COOKIE_SECURE"] = False  # want: AUTH-006
app.config["SESSION_COOKIE_HTTPONLY"] = True  # ok: AUTH-006


def login(token, debug):
    resp = make_response("ok")
    resp.set_cookie("session_token", token)  # want: AUTH-006
    resp.set_cookie("access_token", token, httponly=True, secure=True)  # want: AUTH-006
    resp.set_cookie("jwt", token, httponly=True, secure=True, samesite="Lax")  # ok: AUTH-006
    resp.set_cookie("theme", "dark")  # ok: AUTH-006
    resp.set_cookie("csrftoken", token)  # ok: AUTH-006
    resp.set_cookie("remember_me", token, httponly=True, secure=not app.debug, samesite="Strict")  # want: AUTH-006
    resp.set_cookie("sid", token, httponly=True, secure=False, samesite="Lax")  # want: AUTH-006
    return resp
