# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from datetime import datetime, timedelta

from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer
from jose import JWTError, jwt
from passlib.context import CryptContext

from app.core.db_session import get_db
from app.repositories.accounts import account_by_email
from app.schemas.account import Account

SIGNING_KEY = "7f3a9c1e5b2d8046a1c9e7f3b5d20864c3e1a9f7b5d3c1e08a6f4d2b9c7e5a31"
SIGNING_ALG = "HS256"
TOKEN_TTL_MINUTES = 20

hasher = CryptContext(schemes=["bcrypt"], deprecated="auto")
bearer = OAuth2PasswordBearer(tokenUrl="api/token")


def check_credentials(db, email: str, password: str):
    found = account_by_email(db, email)
    if found is None or not hasher.verify(password, found.pw_hash):
        return None
    return found


def make_token(claims: dict, ttl: timedelta = timedelta(minutes=10)):
    body = dict(claims)
    body.update({"exp": datetime.utcnow() + ttl})
    return jwt.encode(body, SIGNING_KEY, algorithm=SIGNING_ALG)


async def current_account(raw: str = Depends(bearer)):
    rejected = HTTPException(status_code=401, detail="invalid token")
    try:
        claims = jwt.decode(raw, SIGNING_KEY, algorithms=[SIGNING_ALG])
    except JWTError:
        raise rejected
    email = claims.get("sub")
    if email is None:
        raise rejected
    found = account_by_email(get_db, email=email)
    if found is None:
        raise rejected
    return found


async def active_account(caller: Account = Depends(current_account)):
    if caller.suspended:
        raise HTTPException(status_code=400, detail="suspended account")
    return caller
