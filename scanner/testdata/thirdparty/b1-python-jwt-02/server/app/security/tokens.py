# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
from datetime import datetime, timedelta

import jwt

from app import app


def issue_token(member_id):
    now = datetime.utcnow()
    claims = {
        "exp": now + timedelta(seconds=30),
        "sub": member_id,
        "iat": now,
    }
    return jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS256")
