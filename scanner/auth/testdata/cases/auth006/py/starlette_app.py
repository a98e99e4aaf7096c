from fastapi import FastAPI, Response
from starlette.middleware.sessions import SessionMiddleware

app = FastAPI()
app.add_middleware(SessionMiddleware, secret_key=os.environ["S"])  # want: AUTH-006
app.add_middleware(SessionMiddleware, secret_key=os.environ["S"], https_only=True)  # ok: AUTH-006


@app.post("/login")
def login(response: Response, token: str):
    response.set_cookie(key="auth_token", value=token)  # want: AUTH-006
    response.set_cookie(key="auth_token", value=token, httponly=True, secure=True)  # ok: AUTH-006
    response.set_cookie(key="lang", value="en")  # ok: AUTH-006
