from fastapi import APIRouter

router = APIRouter()


@router.delete("/users/{user_id}")
def delete_user(user_id: int):  # ok: AUTH-001, AUTH-002
    return user_id


@router.post("/config")
def set_config(cfg: dict):  # ok: AUTH-001, AUTH-002
    return cfg
