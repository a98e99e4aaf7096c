# Routes declared in a class body (a grouping idiom) on paths built from a
# module constant: they are routes all the same.
from fastapi import APIRouter, Depends

from app.auth import get_current_user

router = APIRouter()
base = "/users/"


class AccountRoutes:

    @router.get(base + "me/")  # ok: AUTH-001
    def me(account=Depends(get_current_user)):
        return account

    @router.put(base + "{account_id}")  # want: AUTH-001
    def edit_account(account_id: str, body: dict):
        return body

    @router.delete((base))  # want: AUTH-001
    def drop_account(body: dict):
        return body
