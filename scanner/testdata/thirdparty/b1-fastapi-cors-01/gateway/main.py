# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from gateway.routers.v1 import v1_router

service = FastAPI()
service.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
service.include_router(v1_router)
