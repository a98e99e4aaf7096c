import os

import jwt
from flask import Flask

app = Flask(__name__)
app.secret_key = "dev-secret".encode()  # want: AUTH-004


def issue(user_id, exp):
    return jwt.encode({"sub": user_id, "exp": exp}, os.environ["JWT_SECRET"].encode(), algorithm="HS256")  # ok: AUTH-004


def issue_legacy(user_id, exp):
    return jwt.encode({"sub": user_id, "exp": exp}, "shhhhh".encode(), algorithm="HS256")  # want: AUTH-004
