from aiohttp import web
from aiohttp_security import check_authorized, check_permission

from store import reports, users

routes = web.RouteTableDef()


@routes.get("/profile")
async def profile(request):
    user = await check_authorized(request)
    return web.json_response({"user": user})


# class-based views: each HTTP method of a web.View is an endpoint
@routes.view("/admin/users/{id}")
class UserView(web.View):
    async def get(self):  # want: AUTH-001
        return web.json_response(await users.get(self.request.match_info["id"]))

    async def delete(self):  # want: AUTH-001
        await users.delete(self.request.match_info["id"])
        return web.Response(status=204)

    async def put(self):  # ok: AUTH-001, AUTH-002
        await check_permission(self.request, "admin")
        await users.update(self.request.match_info["id"], await self.request.json())
        return web.Response(status=204)


class ReportView(web.View):
    async def post(self):  # want: AUTH-001
        return web.json_response(await reports.export(await self.request.json()))


app = web.Application()
app.add_routes(routes)
app.router.add_view("/reports/export", ReportView)
