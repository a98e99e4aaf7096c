from datetime import datetime, timedelta

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer

from .config import settings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")
ALGORITHM = "HS256"


def create_access_token(data: dict) -> str:
    to_encode = data.copy()
    return jwt.encode(to_encode, settings.secret_key, algorithm=ALGORITHM)  # PLANTED: AUTH-003 AUTH-004


def create_reset_token(email: str) -> str:
    payload = {"sub": email, "exp": datetime.utcnow() + timedelta(minutes=15)}
    return jwt.encode(payload, settings.secret_key, algorithm=ALGORITHM)  # PLANTED: AUTH-004


def get_current_user(token: str = Depends(oauth2_scheme)) -> dict:
    try:
        payload = jwt.decode(token, settings.secret_key, algorithms=[ALGORITHM])
    except jwt.PyJWTError:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Invalid token")
    return {"id": payload["sub"], "is_admin": payload.get("admin", False)}


def verify_api_key(provided: str, expected: str) -> bool:
    return provided == expected  # PLANTED: AUTH-007
