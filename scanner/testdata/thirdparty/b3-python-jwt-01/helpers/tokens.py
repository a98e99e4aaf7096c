# Written for vigil-proxy's third-party-style corpus after the shape of a public Python service.
import os

import jwt


def read_claims(raw_token):
    claims = jwt.decode(raw_token, os.environ["SERVICE_JWT_KEY"], algorithms=["HS256"])
    return claims
