# Written for vigil-proxy's third-party-style corpus after the shape of a public Python project's test suite.
import unittest.mock as mock

import app.lookup as lookup


# stands in for the database read while the test is written
@mock.patch("app.lookup.fetch_row")
def test_fetch_row():
    pass
