import json

import tornado.web

from wiki import pages, users


class BaseHandler(tornado.web.RequestHandler):
    def get_current_user(self):
        return users.get(self.get_signed_cookie("uid"))


class LoginHandler(BaseHandler):
    def post(self):  # ok: AUTH-001
        user = users.check(self.get_body_argument("name"), self.get_body_argument("password"))
        if user is None:
            raise tornado.web.HTTPError(401)
        self.set_signed_cookie("uid", str(user.id))  # want: AUTH-006
        self.set_signed_cookie("uid_strict", str(user.id), httponly=True, secure=True, samesite="Strict")  # ok: AUTH-006


class PageHandler(BaseHandler):
    def get(self, slug):
        self.write(pages.get(slug))

    @tornado.web.authenticated
    def put(self, slug):  # ok: AUTH-001, AUTH-002
        page = pages.get(slug)
        if page.author_id != self.current_user.id:
            raise tornado.web.HTTPError(403)
        pages.save(slug, json.loads(self.request.body))

    def delete(self, slug):  # want: AUTH-001
        pages.delete(slug)


class CommentHandler(BaseHandler):
    def post(self, slug):  # ok: AUTH-001
        if not self.current_user:
            raise tornado.web.HTTPError(401)
        pages.comment(slug, self.current_user.id, self.get_body_argument("text"))


def make_app():
    return tornado.web.Application(
        [(r"/login", LoginHandler), (r"/pages/([a-z0-9-]+)", PageHandler), (r"/pages/([a-z0-9-]+)/comments", CommentHandler)],
        cookie_secret=__import__("os").environ["COOKIE_SECRET"],
        login_url="/login",
    )
