from fastapi import APIRouter

from app.api.deps import CurrentUser

router = APIRouter(prefix="/items")


@router.put("/{id}")
def update_item(id: int, current_user: CurrentUser, item: dict):  # ok: AUTH-001
    item = db_get(id)
    if item.owner_id != current_user.id:
        raise PermissionError()
    return item


@router.delete("/{id}")
def delete_item(current_user: CurrentUser, id: int):  # want: AUTH-002
    db_delete(id)
