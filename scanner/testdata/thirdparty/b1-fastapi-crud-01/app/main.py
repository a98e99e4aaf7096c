# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from app.api.main import api_router
from app.core.settings import conf

app = FastAPI(title="notebooks")

if conf.CORS_ORIGINS:
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[o.rstrip("/") for o in conf.CORS_ORIGINS],
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )

app.include_router(api_router, prefix=conf.PREFIX)
