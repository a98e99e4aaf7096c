from fastapi import Depends, FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware

from .auth import create_access_token, get_current_user

app = FastAPI(title="Todo API")

app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],  # PLANTED: AUTH-005
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)

TODOS: dict[int, dict] = {}


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/token")
def login(response: Response, username: str, password: str):
    token = create_access_token({"sub": username})
    response.set_cookie("session", token)  # PLANTED: AUTH-006
    return {"access_token": token, "token_type": "bearer"}


@app.get("/todos")
def list_todos(user: dict = Depends(get_current_user)):
    return [t for t in TODOS.values() if t["owner"] == user["id"]]


@app.delete("/todos/{todo_id}")
def delete_todo(todo_id: int, user: dict = Depends(get_current_user)):  # PLANTED: AUTH-002
    TODOS.pop(todo_id, None)
    return {"deleted": todo_id}


@app.get("/admin/users")  # PLANTED: AUTH-001
def list_users():
    return [{"id": 1, "email": "admin@example.com"}]
