from fastapi import APIRouter

router = APIRouter()


@router.post("/orders/{id}/cancel")
def cancel_order(id: int):  # want: AUTH-001
    return id
