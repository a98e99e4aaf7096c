# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from datetime import datetime, timedelta, timezone

import jwt
from pwdlib import PasswordHash

from app.core.settings import conf

hasher = PasswordHash.recommended()
ALG = "HS256"


def issue_token(member_id, ttl: timedelta) -> str:
    claims = {"sub": str(member_id), "exp": datetime.now(timezone.utc) + ttl}
    return jwt.encode(claims, conf.TOKEN_KEY, algorithm=ALG)


def read_token(raw: str) -> dict:
    return jwt.decode(raw, conf.TOKEN_KEY, algorithms=[ALG])


def password_matches(plain: str, stored: str) -> bool:
    return hasher.verify(plain, stored)


def hash_password(plain: str) -> str:
    return hasher.hash(plain)
