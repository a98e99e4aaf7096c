# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
import os

from flask import request

DEVICE_API_KEY = os.getenv("DEVICE_API_KEY")


def sensor_is_trusted(req):
    if "X-Device-Token" in req.headers:
        if req.headers["X-Device-Token"] == DEVICE_API_KEY:
            return True
        return False
    return False
