from functools import wraps

import jwt
from sanic import text


def check_token(request):
    try:
        request.ctx.claims = jwt.decode(request.token, request.app.config.JWT_SECRET, algorithms=["HS256"])
    except jwt.exceptions.InvalidTokenError:
        return False
    return True


def protected(handler):
    @wraps(handler)
    async def wrapper(request, *args, **kwargs):
        if not check_token(request):
            return text("Unauthorized", status=401)
        return await handler(request, *args, **kwargs)

    return wrapper
