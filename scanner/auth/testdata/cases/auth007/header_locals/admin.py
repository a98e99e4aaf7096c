import os

from aiohttp import web

ADMIN_API_KEY = os.environ["ADMIN_API_KEY"]


async def purge(request):
    if request.headers.get("X-Admin-Key") != ADMIN_API_KEY:  # want: AUTH-007
        raise web.HTTPForbidden()
    return web.json_response({"purged": True})


async def rotate(request):
    supplied = request.headers.get("X-Service-Key")
    if supplied != os.environ["SERVICE_KEY"]:  # want: AUTH-007
        raise web.HTTPForbidden()
    return web.json_response({"rotated": True})


async def replay(request, cached_key):
    if request.headers.get("Idempotency-Key") == cached_key:  # ok: AUTH-007
        return web.json_response({"replayed": True})
    return None
