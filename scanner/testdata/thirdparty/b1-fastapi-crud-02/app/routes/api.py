# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from fastapi import APIRouter, Depends

from app.core import security
from app.handlers import account_handlers, shipment_handlers

api = APIRouter()

api.include_router(account_handlers.router, tags=["accounts"])
api.include_router(
    shipment_handlers.router,
    dependencies=[Depends(security.active_account)],
    tags=["shipments"],
)
