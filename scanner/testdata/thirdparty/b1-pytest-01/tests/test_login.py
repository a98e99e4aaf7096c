# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
def test_good_credentials_get_a_token(client):
    reply = client.post("/session", json={"login": "operator", "password": "correct horse"})

    assert reply.status_code == 200
    assert "token" in reply.json()


def test_bad_credentials_are_refused(client):
    reply = client.post("/session", json={"login": "operator", "password": "wrong"})

    assert reply.status_code == 401
