import json

import tornado.web

from shop import orders, profiles, users


class BaseHandler(tornado.web.RequestHandler):
    def get_current_user(self):
        return users.get(self.get_signed_cookie("uid"))


# Tornado's guide checks authentication in prepare(): it runs before every
# method of the class and of its subclasses
class AuthedHandler(BaseHandler):
    def prepare(self):
        if not self.current_user:
            raise tornado.web.HTTPError(401)


class AdminHandler(AuthedHandler):
    def prepare(self):
        super().prepare()
        if not self.current_user.is_admin:
            raise tornado.web.HTTPError(403)


class UsersHandler(AdminHandler):
    def delete(self, user_id):  # ok: AUTH-001, AUTH-002
        users.delete(user_id)
        self.set_status(204)


class OrdersHandler(AuthedHandler):
    def put(self, order_id):  # want: AUTH-002
        orders.save(order_id, json.loads(self.request.body))


class ProfileHandler(BaseHandler):
    async def prepare(self):
        if self.current_user is None:
            raise tornado.web.HTTPError(401)

    def put(self):  # ok: AUTH-001, AUTH-002
        profiles.save(self.current_user.id, json.loads(self.request.body))


class ExportHandler(BaseHandler):
    def prepare(self):
        self.set_header("Content-Type", "text/csv")

    def post(self):  # want: AUTH-001
        self.write(users.export_csv())


def make_app():
    return tornado.web.Application(
        [
            (r"/users/([0-9]+)", UsersHandler),
            (r"/orders/([0-9]+)", OrdersHandler),
            (r"/profile", ProfileHandler),
            (r"/export", ExportHandler),
        ],
        cookie_secret=__import__("os").environ["COOKIE_SECRET"],
    )
