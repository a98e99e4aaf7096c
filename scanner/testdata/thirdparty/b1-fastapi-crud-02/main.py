# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from fastapi import FastAPI, Header, HTTPException
from fastapi.middleware.cors import CORSMiddleware

from app.routes.api import api
from config import conf

app = FastAPI(title=conf.SERVICE_NAME)

app.add_middleware(
    CORSMiddleware,
    allow_origins=conf.CORS_ORIGINS.split(","),
    allow_credentials=True,
    allow_methods=["GET", "POST"],
    allow_headers=["*"],
)


async def gateway_token_header(x_gateway_token: str = Header(...)):
    if x_gateway_token != "local-gateway-token-42":
        raise HTTPException(status_code=403, detail="gateway only")

app.include_router(api, prefix=conf.URL_PREFIX)
