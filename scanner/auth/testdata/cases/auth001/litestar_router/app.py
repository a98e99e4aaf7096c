from litestar import Controller, Litestar, Router, delete, get, put
from litestar.exceptions import NotAuthorizedException

from store import orders, settings, users


def requires_login(connection, _) -> None:
    if not connection.user:
        raise NotAuthorizedException()


@get("/orders")
async def list_orders() -> list:
    return await orders.all()


# a Router's guards run before every handler it holds
@delete("/orders/{order_id:int}")  # ok: AUTH-001
async def delete_order(request, order_id: int) -> None:  # ok: AUTH-002
    await orders.delete(order_id, owner=request.user.id)


class SettingsController(Controller):
    path = "/settings"

    @put("/")  # ok: AUTH-001
    async def update_settings(self, data: dict) -> dict:  # want: AUTH-002
        return await settings.save(data)


# a router held by a guarded router is guarded too
@delete("/items/{item_id:int}")  # ok: AUTH-001
async def delete_item(request, item_id: int) -> None:  # ok: AUTH-002
    await orders.delete_item(item_id, owner=request.user.id)


# the same shapes outside any guarded Router stay open
@delete("/users/{user_id:int}")  # want: AUTH-001
async def delete_user(user_id: int) -> None:
    await users.delete(user_id)


class PublicController(Controller):
    path = "/public-settings"

    @put("/")  # want: AUTH-001
    async def overwrite_settings(self, data: dict) -> dict:
        return await settings.save(data)


account_router = Router(path="/account", route_handlers=[delete_order, SettingsController], guards=[requires_login])
inner_router = Router(path="/inner", route_handlers=[delete_item])
outer_router = Router(path="/outer", route_handlers=[inner_router], guards=[requires_login])
open_router = Router(path="/open", route_handlers=[delete_user, PublicController])

app = Litestar(route_handlers=[list_orders, account_router, outer_router, open_router])
