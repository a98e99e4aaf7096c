# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from fastapi import APIRouter

from app.api.routes import login, notebooks, users

api_router = APIRouter()
api_router.include_router(notebooks.router)
api_router.include_router(login.router)
api_router.include_router(users.router)
