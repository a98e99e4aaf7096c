# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
from flask import request


def require_shop_key():
    api_key = request.headers.get("SHOP_KEY")
    if api_key != "LANTERN42":
        return "Unknown shop key", 401
    return None
