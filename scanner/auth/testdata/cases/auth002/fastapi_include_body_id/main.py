from fastapi import APIRouter, Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer
import jwt

from app import parcels

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


async def get_current_user(token: str = Depends(oauth2_scheme)):
    # answering 403 to a bad token is authentication, not a role check
    try:
        return jwt.decode(token, KEY, algorithms=["HS256"])
    except jwt.InvalidTokenError:
        raise HTTPException(status_code=403, detail="token rejected")


app = FastAPI()
app.include_router(parcels.router, dependencies=[Depends(get_current_user)])
