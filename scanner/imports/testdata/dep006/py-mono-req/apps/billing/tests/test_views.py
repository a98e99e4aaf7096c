import pytest
import pytest_django
@pytest.mark.django_db
def test_pay(client):
    assert client.get("/pay").status_code == 200
