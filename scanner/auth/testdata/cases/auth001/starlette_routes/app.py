from starlette.applications import Starlette
from starlette.authentication import requires
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backends import TokenBackend
from store import items


@requires("authenticated")
async def list_items(request):
    return JSONResponse(await items.all())


@requires(["authenticated", "admin"])
async def delete_item(request):  # ok: AUTH-001, AUTH-002
    await items.delete(request.path_params["item_id"])
    return Response(status_code=204)


async def replace_item(request):  # want: AUTH-001
    return JSONResponse(await items.replace(request.path_params["item_id"], await request.json()))


async def homepage(request):  # ok: AUTH-001
    return JSONResponse({"hello": "world"})


routes = [
    Route("/", homepage),
    Route("/items", list_items),
    Route("/items/{item_id:int}", replace_item, methods=["PUT"]),
    Route("/items/{item_id:int}", endpoint=delete_item, methods=["DELETE"]),
]

app = Starlette(routes=routes, middleware=[Middleware(AuthenticationMiddleware, backend=TokenBackend())])
