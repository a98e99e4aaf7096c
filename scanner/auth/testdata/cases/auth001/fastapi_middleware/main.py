from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

import jwt

app = FastAPI()


@app.middleware("http")
async def require_token(request: Request, call_next):
    if request.url.path not in ("/login", "/health"):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            jwt.decode(token, KEY, algorithms=["HS256"])
        except jwt.PyJWTError:
            return JSONResponse(status_code=401, content={"detail": "unauthorized"})
    return await call_next(request)


@app.delete("/projects/{pid}")  # ok: AUTH-001
async def delete_project(pid: int):  # want: AUTH-002
    return pid


@app.get("/admin/audit")  # ok: AUTH-001
async def audit():
    return []
