# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from src.db import session_scope
from src.models import StaffMember
from src.permissions import get_current_user, has_access

router = APIRouter()


@router.delete("/remove")
@has_access(roles=["super_admin"])
async def remove_staff(login: str = Query(...), current_user=Depends(get_current_user), db: AsyncSession = Depends(session_scope)):
    found = (await db.execute(select(StaffMember).where(StaffMember.login == login))).scalars().first()
    if found is None:
        raise HTTPException(status_code=404, detail="unknown login")
    await db.delete(found)
    await db.commit()
    return {"removed": login}
