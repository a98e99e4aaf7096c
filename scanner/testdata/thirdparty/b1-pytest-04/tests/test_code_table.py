# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
import pytest
from flask import request

from permits.codes import CODE_TABLE


@pytest.mark.skip
def test_code_lookup(permit_code):
    rows = [row for row in CODE_TABLE if row[0] == permit_code]
    request._zone = rows[0][1]
    request._action = rows[0][2]


def test_code_lookups():
    for code in ("RES", "COM", "IND"):
        test_code_lookup(code)
