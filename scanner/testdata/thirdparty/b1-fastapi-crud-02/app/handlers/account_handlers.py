# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from datetime import timedelta
from typing import List

from fastapi import APIRouter, Depends, HTTPException
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.orm import Session

from app.core import db_session, paging, security
from app.schemas import account, token
from app.services.accounts import AccountService as svc

router = APIRouter()
base_path = "/users/"


class AccountHandlers:

    @router.post(base_path + "token", response_model=token.Token)
    async def issue_token(form: OAuth2PasswordRequestForm = Depends(), db: Session = Depends(db_session.get_db)):
        found = security.check_credentials(db, form.username, form.password)
        if not found:
            raise HTTPException(status_code=401, detail="wrong login")
        ttl = timedelta(minutes=security.TOKEN_TTL_MINUTES)
        return {"access_token": security.make_token({"sub": found.email}, ttl), "token_type": "bearer"}

    @router.get(base_path + "me/", response_model=account.Account)
    async def who_am_i(caller: account.Account = Depends(security.active_account)):
        return caller

    @router.post(base_path, response_model=account.Account)
    def add_account(data: account.AccountIn, db: Session = Depends(db_session.get_db),
                    caller: account.Account = Depends(security.active_account)):
        if svc.by_email(db, email=data.email):
            raise HTTPException(status_code=400, detail="email taken")
        return svc.add(db=db, data=data)

    @router.put(base_path + "{account_id}", response_model=account.Account)
    def change_account(account_id: str, data: account.AccountIn, db: Session = Depends(db_session.get_db)):
        if svc.get(db, account_id=account_id) is None:
            raise HTTPException(status_code=404, detail="no such account")
        return svc.change(db=db, data=data, account_id=account_id)

    @router.get(base_path, response_model=List[account.Account])
    def list_accounts(page: dict = Depends(paging.page_params), db: Session = Depends(db_session.get_db),
                      caller: account.Account = Depends(security.active_account)):
        return svc.list(db, offset=page["offset"], size=page["size"])

    @router.get(base_path + "{account_id}", response_model=account.Account)
    def get_account(account_id: str, db: Session = Depends(db_session.get_db),
                    caller: account.Account = Depends(security.active_account)):
        found = svc.get(db, account_id=account_id)
        if found is None:
            raise HTTPException(status_code=404, detail="no such account")
        return found

    @router.delete(base_path, response_model=account.Account)
    def drop_account(target: account.AccountId, db: Session = Depends(db_session.get_db)):
        if svc.get(db, account_id=target.id) is None:
            raise HTTPException(status_code=404, detail="no such account")
        return svc.drop(db=db, account_id=target.id)
