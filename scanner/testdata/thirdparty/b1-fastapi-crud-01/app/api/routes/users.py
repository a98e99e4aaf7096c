# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
import uuid

from fastapi import APIRouter, Depends, HTTPException
from sqlmodel import select

from app import accounts
from app.api.deps import CurrentMember, Db, require_admin
from app.core.security import hash_password, password_matches
from app.models import Member, MemberIn, MemberPatch, PasswordChange, SelfPatch, SignUp

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/", dependencies=[Depends(require_admin)])
def list_members(db: Db, offset: int = 0, size: int = 50):
    return db.exec(select(Member).offset(offset).limit(size)).all()


@router.post("/", dependencies=[Depends(require_admin)])
def add_member(db: Db, data: MemberIn):
    if accounts.by_email(db, data.email):
        raise HTTPException(status_code=400, detail="email already registered")
    return accounts.create(db, data)


@router.get("/me")
def show_me(caller: CurrentMember):
    return caller


@router.patch("/me")
def edit_me(db: Db, caller: CurrentMember, data: SelfPatch):
    if data.email:
        other = accounts.by_email(db, data.email)
        if other is not None and other.id != caller.id:
            raise HTTPException(status_code=409, detail="email already registered")
    caller.sqlmodel_update(data.model_dump(exclude_unset=True))
    db.add(caller)
    db.commit()
    return caller


@router.patch("/me/password")
def change_my_password(db: Db, caller: CurrentMember, body: PasswordChange):
    if not password_matches(body.old_password, caller.pw_hash):
        raise HTTPException(status_code=400, detail="old password is wrong")
    if body.old_password == body.new_password:
        raise HTTPException(status_code=400, detail="choose a different password")
    caller.pw_hash = hash_password(body.new_password)
    db.add(caller)
    db.commit()
    return {"detail": "password changed"}


@router.delete("/me")
def close_my_account(db: Db, caller: CurrentMember):
    if caller.is_admin:
        raise HTTPException(status_code=403, detail="administrators cannot close their own account")
    db.delete(caller)
    db.commit()
    return {"detail": "account closed"}


@router.post("/signup")
def sign_up(db: Db, data: SignUp):
    if accounts.by_email(db, data.email):
        raise HTTPException(status_code=400, detail="email already registered")
    return accounts.create(db, MemberIn.model_validate(data))


@router.get("/{member_id}")
def show_member(member_id: uuid.UUID, db: Db, caller: CurrentMember):
    member = db.get(Member, member_id)
    if member == caller:
        return member
    if not caller.is_admin:
        raise HTTPException(status_code=403, detail="administrators only")
    return member


@router.patch("/{member_id}", dependencies=[Depends(require_admin)])
def edit_member(db: Db, member_id: uuid.UUID, data: MemberPatch):
    member = db.get(Member, member_id)
    if member is None:
        raise HTTPException(status_code=404, detail="no such member")
    return accounts.update(db, member, data)


@router.delete("/{member_id}", dependencies=[Depends(require_admin)])
def remove_member(db: Db, caller: CurrentMember, member_id: uuid.UUID):
    member = db.get(Member, member_id)
    if member is None:
        raise HTTPException(status_code=404, detail="no such member")
    if member == caller:
        raise HTTPException(status_code=403, detail="use /users/me to close your own account")
    db.delete(member)
    db.commit()
    return {"detail": "member removed"}
