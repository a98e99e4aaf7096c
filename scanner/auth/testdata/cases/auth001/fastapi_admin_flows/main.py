from fastapi import Depends, FastAPI
from fastapi.security import OAuth2PasswordBearer

app = FastAPI()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


async def get_current_user(token: str = Depends(oauth2_scheme)):
    return decode(token)


@app.get("/users/me")
async def me(user=Depends(get_current_user)):  # ok: AUTH-001
    return user


# The public steps of account flows stay public...
@app.post("/password/reset")
async def request_password_reset(email: str):  # ok: AUTH-001
    return {}


@app.post("/account/confirm/{code}")
async def confirm_email(code: str):  # ok: AUTH-001
    return {}


@app.post("/token/refresh")
async def refresh(token: str):  # ok: AUTH-001
    return {}


@app.post("/webhooks/stripe")
async def stripe_webhook():  # ok: AUTH-001
    return {}


@app.post("/admin/login")
async def admin_login(form: dict):  # ok: AUTH-001
    return {}


# ...but not under an administrative path.
@app.post("/admin/reset")  # want: AUTH-001
async def reset_everything():
    return {"ok": True}


@app.delete("/admin/sessions/{session_id}")  # want: AUTH-001
async def end_session(session_id: str):
    return {}


@app.post("/admin/users/{user_id}/activate")  # want: AUTH-001
async def activate_user(user_id: int):
    return {}


@app.get("/internal/webhooks")  # want: AUTH-001
async def list_webhooks():
    return []
