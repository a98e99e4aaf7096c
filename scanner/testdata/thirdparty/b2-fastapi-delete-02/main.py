# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from fastapi import FastAPI, HTTPException

from storage import find_account, drop_account

app = FastAPI()


@app.get("/account_delete/{account_id}")
async def account_delete(account_id: int):
    if find_account(account_id) is None:
        raise HTTPException(status_code=404, detail=f"account {account_id} not found")
    drop_account(account_id)
    return {"deleted": account_id}
