import os

import jwt

from app.core.config import settings

SECRET_KEY = "a-long-random-looking-value-3f9a8b7c6d5e"  # want: AUTH-004
FALLBACK = os.getenv("JWT_FALLBACK", "dev-secret-change-in-production")  # ok: AUTH-004 (SEC-004 reports fallbacks)
PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
-----END PUBLIC KEY-----"""
ENV_KEY = os.environ["JWT_KEY"]


def create(data):
    return jwt.encode({**data, "exp": 1}, SECRET_KEY, algorithm="HS256")


def create_with_settings(data):
    return jwt.encode({**data, "exp": 1}, settings.JWT_SECRET, algorithm="HS256")  # want: AUTH-004


def create_fallback(data):
    return jwt.encode({**data, "exp": 1}, FALLBACK, algorithm="HS256")


def verify(token):
    jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
    jwt.decode(token, PUBLIC_KEY, algorithms=["ES256"])  # ok: AUTH-004
    return jwt.decode(token, ENV_KEY, algorithms=["HS256"])  # ok: AUTH-004


def direct(data):
    return jwt.encode({**data, "exp": 1}, "shhhhh", algorithm="HS256")  # want: AUTH-004
