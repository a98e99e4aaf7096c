# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
from jotter import build_app


def test_overrides_apply():
    assert not build_app().testing
    assert build_app({"TESTING": True}).testing


def test_ping(client):
    reply = client.get("/ping")
    assert reply.data == b"pong"
