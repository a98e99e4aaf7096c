from litestar import Controller, Litestar, delete, get, put
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

from store import accounts, settings, users


def requires_login(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if not connection.user:
        raise NotAuthorizedException()


# a Controller's guards and path apply to every handler it holds
class AccountController(Controller):
    path = "/accounts"
    guards = [requires_login]

    @get("/{account_id:int}")
    async def get_account(self, account_id: int) -> dict:  # ok: AUTH-001
        return await accounts.get(account_id)

    @delete("/{account_id:int}")
    async def close_account(self, account_id: int) -> None:  # want: AUTH-002
        await accounts.close(account_id)


class AdminController(Controller):
    path = "/admin"

    @delete("/users/{user_id:int}")  # want: AUTH-001
    async def delete_user(self, user_id: int) -> None:
        await users.delete(user_id)

    @put("/settings")  # want: AUTH-001
    async def update_settings(self, data: dict) -> dict:
        return await settings.save(data)


app = Litestar(route_handlers=[AccountController, AdminController])
