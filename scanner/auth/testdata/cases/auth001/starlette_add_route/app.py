from starlette.applications import Starlette
from starlette.authentication import requires
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from store import settings, users


@requires("authenticated")
async def list_notes(request):
    return JSONResponse([])


async def delete_user(request):  # want: AUTH-001
    await users.delete(request.path_params["user_id"])
    return Response(status_code=204)


async def update_settings(request):  # want: AUTH-001
    await settings.save(await request.json())
    return JSONResponse({"ok": True})


@requires(["authenticated", "admin"])
async def purge_users(request):  # ok: AUTH-001, AUTH-002
    await users.purge()
    return Response(status_code=204)


app = Starlette(routes=[Route("/notes", list_notes)])
# Starlette's add_route takes the path first (aiohttp's takes the method)
app.add_route("/admin/users/{user_id:int}", delete_user, methods=["DELETE"])
app.add_route("/admin/settings", route=update_settings, methods=["PUT"])
app.add_route("/admin/users", purge_users, methods=["DELETE"])
