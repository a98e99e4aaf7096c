from sanic import Blueprint, json, text

from shop.security import check_token

staff = Blueprint("staff", url_prefix="/staff")


@staff.on_request
async def staff_only(request):
    if not check_token(request):
        return text("Unauthorized", status=401)
    if "staff" not in request.ctx.claims.get("roles", []):
        return text("Forbidden", status=403)


@staff.delete("/carts/<cart_id:int>")
async def purge_cart(request, cart_id: int):  # ok: AUTH-001, AUTH-002
    await request.app.ctx.carts.drop(cart_id)
    return json({"purged": cart_id})
