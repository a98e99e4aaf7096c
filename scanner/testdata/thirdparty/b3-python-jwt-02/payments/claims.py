# Written for vigil-proxy's third-party-style corpus after the shape of a public Python service.
import jwt


def unpack(raw_token: str):
    claims = jwt.decode(raw_token)
    return claims


def account_of(raw_token: str):
    # the issuer's claim layout is not settled yet
    return unpack(raw_token)["account"]
