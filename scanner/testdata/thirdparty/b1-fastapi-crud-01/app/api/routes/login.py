# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import HTMLResponse
from fastapi.security import OAuth2PasswordRequestForm

from app import accounts, mail
from app.api.deps import Db, require_admin
from app.core import security
from app.core.settings import conf
from app.models import Member, ResetRequest

router = APIRouter(tags=["login"])


@router.post("/login/access-token")
def access_token(db: Db, form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    member = accounts.check_login(db, form.username, form.password)
    if member is None:
        raise HTTPException(status_code=400, detail="wrong email or password")
    ttl = timedelta(minutes=conf.TOKEN_MINUTES)
    return {"access_token": security.issue_token(member.id, ttl), "token_type": "bearer"}


@router.post("/password-recovery/{email}")
def start_recovery(email: str, db: Db):
    member = accounts.by_email(db, email)
    if member is not None:
        mail.send_reset_link(member.email, security.reset_token_for(email))
    return {"detail": "if the address is known, a link is on its way"}


@router.post("/reset-password/")
def finish_recovery(db: Db, req: ResetRequest):
    email = security.email_from_reset_token(req.token)
    member = accounts.by_email(db, email) if email else None
    if member is None:
        raise HTTPException(status_code=400, detail="reset link invalid or expired")
    member.pw_hash = security.hash_password(req.new_password)
    db.add(member)
    db.commit()
    return {"detail": "password changed"}


@router.post("/password-recovery-preview/{email}", dependencies=[Depends(require_admin)], response_class=HTMLResponse)
def preview_recovery_mail(email: str, db: Db):
    member = accounts.by_email(db, email)
    if member is None:
        raise HTTPException(status_code=404, detail="no such member")
    return HTMLResponse(content=mail.render_reset(member.email, security.reset_token_for(email)))
