from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer

app = FastAPI()
oauth2 = OAuth2PasswordBearer(tokenUrl="/token")


def get_current_user(token: str = Depends(oauth2)):
    return users.from_token(token)


# loading the record by id and checking that it exists is not an ownership check
@app.put("/accounts/{account_id}")
def update_account(account_id: int, body: dict, current_user=Depends(get_current_user)):  # want: AUTH-002
    account = db.get(Account, account_id)
    if account is None:
        raise HTTPException(status_code=404)
    account.plan = body["plan"]
    return account


@app.delete("/notes/{note_id}")
def delete_note(note_id: int, current_user=Depends(get_current_user)):  # ok: AUTH-002
    note = db.query(Note).filter_by(id=note_id, owner_id=current_user.id).first()
    if note is None:
        raise HTTPException(status_code=404)
    db.delete(note)


@app.patch("/albums/{album_id}")
def rename_album(album_id: int, body: dict, current_user=Depends(get_current_user)):  # ok: AUTH-002
    album = db.get(Album, album_id)
    if album.owner is not current_user:
        raise HTTPException(status_code=403)
    album.title = body["title"]
