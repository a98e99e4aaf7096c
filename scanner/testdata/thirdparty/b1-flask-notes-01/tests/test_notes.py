# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
import pytest

from jotter.storage import connection


def test_home_lists_notes(client, session_helper):
    page = client.get("/")
    assert b"Sign in" in page.data
    session_helper.sign_in()
    page = client.get("/")
    assert b"first note" in page.data


@pytest.mark.parametrize("url", ("/new", "/1/edit", "/1/delete"))
def test_anonymous_is_redirected(client, url):
    page = client.post(url)
    assert page.headers["Location"] == "/accounts/login"


def test_only_owner_may_change(app, client, session_helper):
    with app.app_context():
        conn = connection()
        conn.execute("UPDATE note SET owner_id = 2 WHERE id = 1")
        conn.commit()
    session_helper.sign_in()
    assert client.post("/1/edit").status_code == 403
    assert client.post("/1/delete").status_code == 403


def test_new_note(client, session_helper, app):
    session_helper.sign_in()
    assert client.get("/new").status_code == 200
    client.post("/new", data={"heading": "groceries", "text": ""})
    with app.app_context():
        total = connection().execute("SELECT COUNT(*) FROM note").fetchone()[0]
        assert total == 2


def test_delete_note(client, session_helper, app):
    session_helper.sign_in()
    page = client.post("/1/delete")
    assert page.headers["Location"] == "/"
    with app.app_context():
        row = connection().execute("SELECT id FROM note WHERE id = 1").fetchone()
        assert row is None
