from datetime import datetime, timedelta, timezone

import jwt
from jose import jwt as jose_jwt
from flask_jwt_extended import create_access_token

import pdf

KEY = os.environ["JWT_KEY"]
ACCESS_TOKEN_EXPIRE_MINUTES = 60 * 24 * 8  # want: AUTH-003
REFRESH_TOKEN_EXPIRE_DAYS = 30  # ok: AUTH-003
EMAIL_RESET_TOKEN_EXPIRE_HOURS = 48  # ok: AUTH-003
JWT_ACCESS_TOKEN_EXPIRES = False  # want: AUTH-003


def no_exp(user):
    return jwt.encode({"sub": user.id}, KEY, algorithm="HS256")  # want: AUTH-003


def built_no_exp(user):
    payload = {"sub": user.id}
    payload["role"] = user.role
    return jwt.encode(payload, KEY, algorithm="HS256")  # want: AUTH-003


def with_exp(data: dict, expires_delta: timedelta | None = None):
    to_encode = data.copy()
    expire = datetime.now(timezone.utc) + (expires_delta or timedelta(minutes=15))
    to_encode.update({"exp": expire})
    return jwt.encode(to_encode, KEY, algorithm="HS256")  # ok: AUTH-003


def long_exp(user):
    exp = datetime.utcnow() + timedelta(days=365)  # want: AUTH-003
    return jose_jwt.encode({"sub": user.id, "exp": exp}, KEY, algorithm="HS256")


def create_refresh_token(user):
    return jwt.encode({"sub": user.id, "type": "refresh"}, KEY, algorithm="HS256")  # ok: AUTH-003


def caller_payload(claims):
    return jwt.encode(claims, KEY, algorithm="HS256")  # ok: AUTH-003


def read(token):
    a = jwt.decode(token, KEY, algorithms=["HS256"], options={"verify_exp": False})  # want: AUTH-003
    b = jwt.decode(token, options={"verify_signature": False})  # want: AUTH-003
    c = jwt.decode(token, KEY)  # want: AUTH-003
    d = jwt.decode(token, KEY, algorithms=["HS256", "none"])  # want: AUTH-003
    e = jwt.decode(token, KEY, algorithms=["HS256"])  # ok: AUTH-003
    return a, b, c, d, e


def forever(user):
    return create_access_token(identity=user.id, expires_delta=False)  # want: AUTH-003


def sign_pdf(doc):
    return pdf.encode({"title": doc.title})  # ok: AUTH-003
