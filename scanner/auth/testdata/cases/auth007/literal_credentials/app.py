from flask import request
from fastapi import Header, HTTPException


def sign_in():
    password = request.json.get("password")
    if password != "letmein":  # want: AUTH-007
        return 401
    if password == "null":  # ok: AUTH-007
        return 400


async def gateway_header(x_token: str = Header(...)):
    if x_token != "gw-shared-token-42":  # want: AUTH-007
        raise HTTPException(status_code=403)
    if x_token == "Bearer":  # ok: AUTH-007
        raise HTTPException(status_code=400)
