# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
import uuid

from app.core.settings import conf
from app.tests.factories import make_notebook


def test_add_notebook(client, admin_headers):
    response = client.post(f"{conf.PREFIX}/notebooks/", headers=admin_headers, json={"title": "Field notes"})
    assert response.status_code == 200
    assert response.json()["title"] == "Field notes"


def test_missing_notebook(client, admin_headers):
    response = client.get(f"{conf.PREFIX}/notebooks/{uuid.uuid4()}", headers=admin_headers)
    assert response.status_code == 404


def test_other_members_notebook(client, member_headers, db):
    notebook = make_notebook(db)
    response = client.get(f"{conf.PREFIX}/notebooks/{notebook.id}", headers=member_headers)
    assert response.status_code == 403
    assert response.json()["detail"] == "not your notebook"


def test_remove_notebook(client, admin_headers, db):
    notebook = make_notebook(db)
    response = client.delete(f"{conf.PREFIX}/notebooks/{notebook.id}", headers=admin_headers)
    assert response.status_code == 200
    assert response.json()["removed"] == str(notebook.id)
