# Written for vigil-proxy's third-party-style corpus after the shape of a public Starlette app.
import unittest

from starlette.testclient import TestClient

from api import routes


class RenderTests(unittest.TestCase):
    def test_render(self):
        reply = TestClient(routes.app).post("/render")
        self.assertEqual(reply.status_code, 200)


if __name__ == "__main__":
    unittest.main()
