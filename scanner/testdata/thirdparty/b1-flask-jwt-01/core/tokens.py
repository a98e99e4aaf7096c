# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
from flask_jwt_extended import JWTManager

from core.app import app

app.config["JWT_SECRET_KEY"] = "secret"
app.config["JWT_COOKIE_SECURE"] = False
app.config["JWT_TOKEN_LOCATION"] = ["cookies"]
app.config["JWT_ACCESS_TOKEN_EXPIRES"] = 900

manager = JWTManager(app)
