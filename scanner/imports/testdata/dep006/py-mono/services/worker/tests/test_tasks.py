import pytest
from worker.tasks import count
def test_count():
    assert str(count()) == "select 1"
