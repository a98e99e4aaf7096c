# Written for vigil-proxy's third-party-style corpus after the shape of a public Python project's test suite.
import sys

import pytest


@pytest.mark.skip
def test_discount():
    assert 200 - 20 == 180


def test_multiply():
    assert 6 * 7 == 42


def test_divide():
    assert 9 / 3 == 3


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
def test_posix_only():
    assert True
