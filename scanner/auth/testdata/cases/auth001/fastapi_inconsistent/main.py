from fastapi import Depends, FastAPI
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

app = FastAPI()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


async def get_current_user(token: str = Depends(oauth2_scheme)):
    return decode(token)


@app.post("/token")
async def login(form: OAuth2PasswordRequestForm = Depends()):  # ok: AUTH-001
    return {"access_token": "x"}


@app.get("/users/me")
async def me(user=Depends(get_current_user)):  # ok: AUTH-001
    return user


@app.delete("/items/{item_id}")  # want: AUTH-001
async def remove_item(item_id: int):
    return {"deleted": item_id}


@app.get("/admin/stats")  # want: AUTH-001
async def admin_stats():
    return {}


@app.get("/health")
async def health():  # ok: AUTH-001
    return {"ok": True}


@app.get("/items")
async def list_items():  # ok: AUTH-001
    return []


@app.post("/webhooks/stripe")
async def stripe_webhook():  # ok: AUTH-001
    return {}


@app.post("/contact")
async def contact_form(msg: dict):  # ok: AUTH-001
    return {}


@app.get("/admin/users/search")  # want: AUTH-001
async def search_users(q: str):
    return []
