import os

import jwt
from django.conf import settings

SECRET_KEY = os.environ["SECRET_KEY"]  # ok: AUTH-004
TOKEN_URL = "https://example.com/oauth/token"  # ok: AUTH-004


def sign(data):
    return jwt.encode({**data, "exp": 1}, settings.SECRET_KEY, algorithm="HS256")  # ok: AUTH-004


def sign2(data, key):
    return jwt.encode({**data, "exp": 1}, key, algorithm="HS256")  # ok: AUTH-004
