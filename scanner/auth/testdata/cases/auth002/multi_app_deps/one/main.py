# This application's get_current_user also requires a superuser.
from fastapi import Depends, FastAPI, HTTPException

app = FastAPI()


def get_current_user(token: str = Depends(oauth2)):
    user = lookup(token)
    if not user.is_superuser:
        raise HTTPException(status_code=403)
    return user


@app.delete("/jobs/{job_id}")
def delete_job(job_id: int, user=Depends(get_current_user)):  # ok: AUTH-002
    return drop(job_id)
