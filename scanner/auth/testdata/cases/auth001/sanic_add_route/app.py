from sanic import Sanic, json
from sanic.views import HTTPMethodView
from sanic_jwt import Initialize, protected

from shop import authenticate, orders, products

app = Sanic("shop")
Initialize(app, authenticate=authenticate)


@app.get("/me")
@protected()
async def me(request):  # ok: AUTH-001
    return json({"ok": True})


async def delete_order(request, order_id):  # want: AUTH-001
    await orders.delete(order_id)
    return json({"deleted": order_id})


# an HTTPMethodView's methods are endpoints
class ProductView(HTTPMethodView):
    async def put(self, request, product_id):  # want: AUTH-001
        return json(await products.update(product_id, request.json))

    @protected()
    async def delete(self, request, product_id):  # want: AUTH-002
        return json(await products.delete(product_id))


# Sanic's add_route takes the handler first
app.add_route(delete_order, "/orders/<order_id:int>", methods=["DELETE"])
app.add_route(ProductView.as_view(), "/products/<product_id:int>")
