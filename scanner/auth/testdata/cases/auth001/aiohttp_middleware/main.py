import os

import jwt
from aiohttp import web

routes = web.RouteTableDef()


@web.middleware
async def auth_middleware(request, handler):
    if request.path in {"/health"}:
        return await handler(request)
    try:
        request["user"] = jwt.decode(request.headers.get("Authorization", "")[7:], os.environ["JWT_SECRET"], algorithms=["HS256"])
    except jwt.InvalidTokenError:
        raise web.HTTPUnauthorized()
    return await handler(request)


@routes.post("/rooms")
async def create_room(request):  # ok: AUTH-001
    return web.json_response(await request.app["rooms"].create(request["user"]["sub"]), status=201)


@routes.delete("/rooms/{room_id}")
async def delete_room(request):  # ok: AUTH-001, AUTH-002
    room = await request.app["rooms"].get(request.match_info["room_id"])
    if room["owner_id"] != request["user"]["sub"]:
        raise web.HTTPForbidden()
    await request.app["rooms"].delete(room["id"])
    return web.Response(status=204)


app = web.Application(middlewares=[auth_middleware])
app.add_routes(routes)
