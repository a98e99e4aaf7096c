import os

from flask import Flask
from itsdangerous import URLSafeTimedSerializer

app = Flask(__name__)
app.secret_key = "dev"  # want: AUTH-004
app.config["JWT_SECRET_KEY"] = os.environ.get("JWT_SECRET_KEY")  # ok: AUTH-004
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"])  # ok: AUTH-004
serializer = URLSafeTimedSerializer("reset-password-signing-key")  # want: AUTH-004


class ProductionConfig:
    SECRET_KEY = os.environ.get("SECRET_KEY")  # ok: AUTH-004


class DevelopmentConfig:
    SECRET_KEY = "keyboard cat"  # want: AUTH-004
