from fastapi import APIRouter

router = APIRouter()


@router.post("/orders/{id}/cancel")  # want: AUTH-001
def cancel_order(id: int):
    return id
