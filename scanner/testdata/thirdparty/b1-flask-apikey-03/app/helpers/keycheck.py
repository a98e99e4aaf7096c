# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
import os

from flask import request


def request_has_valid_key():
    inventory_api_key = os.environ.get("INVENTORY_API_KEY")
    api_key = request.headers.get("X-INVENTORY-KEY")
    if api_key and api_key == inventory_api_key:
        return True
    return False
