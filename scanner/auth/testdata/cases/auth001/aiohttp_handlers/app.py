from aiohttp import web
from aiohttp_security import check_authorized, check_permission

from notes import store


async def list_notes(request):
    user = await check_authorized(request)
    return web.json_response(store.for_user(user))


async def delete_note(request):  # ok: AUTH-001, AUTH-002
    user = await check_authorized(request)
    store.delete(request.match_info["note_id"], owner=user)
    return web.Response(status=204)


async def wipe_notes(request):  # want: AUTH-001
    store.clear()
    return web.json_response({"wiped": True})


async def export_users(request):  # ok: AUTH-001
    await check_permission(request, "admin")
    return web.json_response(store.users())


def make_app():
    app = web.Application()
    app.router.add_get("/notes", list_notes)
    app.router.add_delete("/notes/{note_id}", delete_note)
    app.router.add_route("POST", "/admin/wipe", wipe_notes)
    app.add_routes([web.get("/admin/users/export", export_users)])
    return app
