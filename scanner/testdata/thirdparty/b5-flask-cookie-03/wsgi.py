# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
from inventory import app, reply

app.config.update(
    SESSION_COOKIE_HTTPONLY=True,
    SESSION_COOKIE_SAMESITE="Strict",
    SESSION_COOKIE_SECURE=True,
)

reply.set_cookie("theme", "dark", httponly=True, secure=True, samesite="Strict")

if __name__ == "__main__":
    app.run()
