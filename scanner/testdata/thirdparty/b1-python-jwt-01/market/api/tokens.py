# Written for vigil-proxy's third-party-style corpus after the shape of a public Django app.
import jwt

import project_secrets


# the token carries the shopper's identity fields
def make_shopper_token(shopper):
    return jwt.encode(
        {"shopper_id": shopper.pk, "login": shopper.login, "pw": shopper.pw_digest},
        project_secrets.TOKEN_KEY,
        project_secrets.TOKEN_ALG,
    )
