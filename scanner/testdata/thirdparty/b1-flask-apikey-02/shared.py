# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
from settings import loaded_settings


def caller_key_valid(incoming_headers):
    presented = incoming_headers.get("X-Api-Key")
    return presented == loaded_settings["Gateway"]["ApiKey"]
