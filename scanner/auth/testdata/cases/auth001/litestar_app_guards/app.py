from litestar import Litestar, delete, get
from litestar.exceptions import NotAuthorizedException

from store import orders


def requires_login(connection, _) -> None:
    if not connection.user:
        raise NotAuthorizedException()


@get("/orders")
async def list_orders() -> list:
    return await orders.all()


# the application's guards run before every handler
@delete("/orders/{order_id:int}")  # ok: AUTH-001
async def delete_order(request, order_id: int) -> None:  # ok: AUTH-002
    await orders.delete(order_id, owner=request.user.id)


app = Litestar(route_handlers=[list_orders, delete_order], guards=[requires_login])
