import os

from fastapi import APIRouter, Header, HTTPException, Request

router = APIRouter()
ADMIN_TOKEN = os.environ["ADMIN_TOKEN"]


@router.post("/internal/reindex")
async def reindex(request: Request):
    if request.headers.get("Authorization") != f"Bearer {ADMIN_TOKEN}":  # want: AUTH-007
        raise HTTPException(status_code=401)
    return {"ok": True}


@router.post("/internal/vacuum")
async def vacuum(authorization: str = Header(...)):
    if authorization != "Bearer " + os.environ["ADMIN_TOKEN"]:  # want: AUTH-007
        raise HTTPException(status_code=401)
    return {"ok": True}


def greeting_ok(name: str, greeting: str) -> bool:
    return greeting == f"hello {name}"  # ok: AUTH-007
