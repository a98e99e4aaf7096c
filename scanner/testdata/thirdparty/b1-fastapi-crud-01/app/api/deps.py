# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from typing import Annotated, Iterator

from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer
from jwt.exceptions import InvalidTokenError
from sqlmodel import Session

from app.core.db import engine
from app.core.security import read_token
from app.core.settings import conf
from app.models import Member

bearer = OAuth2PasswordBearer(tokenUrl=f"{conf.PREFIX}/login/access-token")


def open_db() -> Iterator[Session]:
    with Session(engine) as db:
        yield db


Db = Annotated[Session, Depends(open_db)]
RawToken = Annotated[str, Depends(bearer)]


def current_member(db: Db, raw: RawToken) -> Member:
    try:
        member_id = read_token(raw)["sub"]
    except (InvalidTokenError, KeyError):
        raise HTTPException(status_code=403, detail="token rejected")
    member = db.get(Member, member_id)
    if member is None or member.disabled:
        raise HTTPException(status_code=401, detail="unknown or disabled member")
    return member


CurrentMember = Annotated[Member, Depends(current_member)]


def require_admin(caller: CurrentMember) -> Member:
    if not caller.is_admin:
        raise HTTPException(status_code=403, detail="administrators only")
    return caller
