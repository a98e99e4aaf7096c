import os
from datetime import timedelta

from litestar import Litestar, delete, post
from litestar.security.jwt import JWTAuth, Token

from models import User, notes


async def retrieve_user(token: Token, connection) -> User | None:
    return await User.get(token.sub)


jwt_auth = JWTAuth[User](
    retrieve_user_handler=retrieve_user,
    token_secret=os.environ["JWT_SECRET"],
    default_token_expiration=timedelta(minutes=30),
    exclude=["/login", "/schema"],
)


@post("/notes")
async def create_note(data: dict) -> dict:  # ok: AUTH-001
    return await notes.add(data)


@delete("/notes/{note_id:int}")
async def delete_note(request, note_id: int) -> None:  # ok: AUTH-001, AUTH-002
    await notes.delete_owned(note_id, owner_id=request.user.id)


app = Litestar(route_handlers=[create_note, delete_note], on_app_init=[jwt_auth.on_app_init])
