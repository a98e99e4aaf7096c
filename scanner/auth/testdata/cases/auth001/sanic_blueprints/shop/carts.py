from sanic import Blueprint, empty, json

from shop.security import protected

carts = Blueprint("carts", url_prefix="/carts")


@carts.get("/<cart_id:int>")
async def show_cart(request, cart_id: int):
    return json(await request.app.ctx.carts.get(cart_id))


@carts.post("/<cart_id:int>/items")
@protected
async def add_item(request, cart_id: int):  # ok: AUTH-001
    return json(await request.app.ctx.carts.add(cart_id, request.json), status=201)


@carts.delete("/<cart_id:int>")  # want: AUTH-001
async def drop_cart(request, cart_id: int):
    await request.app.ctx.carts.drop(cart_id)
    return empty()
