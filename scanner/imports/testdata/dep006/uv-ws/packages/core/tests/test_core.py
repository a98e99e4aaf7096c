import pytest
import acme_core
def test_x():
    assert acme_core is not None
