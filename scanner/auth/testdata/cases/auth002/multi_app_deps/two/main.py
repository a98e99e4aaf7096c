# Another application with a get_current_user of the same name that only
# authenticates: ../one's superuser check is not this one's.
from fastapi import Depends, FastAPI, HTTPException

app = FastAPI()


def get_current_user(token: str = Depends(oauth2)):
    user = lookup(token)
    if user is None:
        raise HTTPException(status_code=401)
    return user


@app.delete("/notes/{note_id}")
def delete_note(note_id: int, user=Depends(get_current_user)):  # want: AUTH-002
    return drop(note_id)
