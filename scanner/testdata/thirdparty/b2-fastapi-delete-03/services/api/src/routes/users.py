# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session

from src.auth import get_current_user
from src.db import get_session
from src.models import Account

router = APIRouter(prefix="/users", tags=["users"])


@router.delete("/delete", status_code=204)
async def close_account(
    current_user: Account = Depends(get_current_user),
    db: Session = Depends(get_session),
):
    db.query(Account).filter(Account.id == current_user.id).delete(synchronize_session=False)
    db.commit()
    return Response(status_code=204)
