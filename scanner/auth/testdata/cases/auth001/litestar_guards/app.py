from litestar import Litestar, delete, get, patch, post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler


def authenticated_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if connection.scope.get("user") is None:
        raise NotAuthorizedException()


def admin_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if not connection.scope["user"].is_admin:
        raise PermissionDeniedException()


@get("/orders")
async def list_orders() -> list[dict]:
    return []


@post("/orders", guards=[authenticated_guard])
async def create_order(data: dict) -> dict:  # ok: AUTH-001
    return data


@delete("/orders/{order_id:int}", guards=[admin_guard])
async def delete_order(order_id: int) -> None:  # ok: AUTH-001, AUTH-002
    return None


@patch("/orders/{order_id:int}/status")  # want: AUTH-001
async def set_status(order_id: int, data: dict) -> dict:
    return data


app = Litestar(route_handlers=[list_orders, create_order, delete_order, set_status])
