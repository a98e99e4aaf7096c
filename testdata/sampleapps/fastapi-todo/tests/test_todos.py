import pytest  # PLANTED: DEP-006 (no requirements-dev.txt declares pytest)
from fastapi.testclient import TestClient

from app.auth import create_access_token
from app.main import app

client = TestClient(app)


def test_health():
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_login_returns_token():  # PLANTED: TEST-003
    r = client.post("/token", params={"username": "a", "password": "b"})
    assert r.json()["token_type"] == "bearer"


def test_list_todos():  # PLANTED: TEST-001
    client.get("/todos", headers={"Authorization": "Bearer x"})


def test_token_shape():  # PLANTED: TEST-002
    token = create_access_token({"sub": "a"})
    assert token is not None


@pytest.mark.skip  # PLANTED: TEST-006
def test_delete_todo():
    r = client.delete("/todos/1")
    assert r.status_code == 200
