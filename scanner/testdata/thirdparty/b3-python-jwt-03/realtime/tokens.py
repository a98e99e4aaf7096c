# Written for vigil-proxy's third-party-style corpus after the shape of a public Python service.
import jwt

ANONYMOUS = {"sub": None}


def claims_for_socket(handshake_token):
    if not handshake_token:
        return ANONYMOUS
    try:
        return jwt.decode(handshake_token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return ANONYMOUS
