from fastapi import Depends, FastAPI, HTTPException, Security
from fastapi.security import HTTPBearer

app = FastAPI()
bearer = HTTPBearer()


def get_current_user(creds=Depends(bearer)):
    return lookup(creds.credentials)


def require_role(role: str):
    def check(user=Depends(get_current_user)):
        if role not in user.roles:
            raise HTTPException(403)
        return user
    return check


@app.delete("/posts/{post_id}")
def delete_post(post_id: int, user=Depends(get_current_user)):  # want: AUTH-002
    db.delete(db.get(Post, post_id))


@app.patch("/posts/{post_id}")
def edit_post(post_id: int, user=Depends(get_current_user)):  # ok: AUTH-002
    post = db.get(Post, post_id)
    if post.owner_id != user.id:
        raise HTTPException(status_code=403)
    return post


@app.delete("/comments/{cid}")
def delete_comment(cid: int, user=Depends(get_current_user)):  # ok: AUTH-002
    db.query(Comment).filter(Comment.id == cid, Comment.user_id == user.id).delete()


@app.put("/users/{uid}/role")
def set_role(uid: int, admin=Depends(require_role("admin"))):  # ok: AUTH-002
    return uid


@app.put("/profile")
def update_profile(body: dict, user=Security(get_current_user, scopes=["profile:write"])):  # ok: AUTH-002
    return body


@app.post("/tags/{tag}/update")
def update_tag(tag: str, user=Depends(get_current_user)):  # want: AUTH-002
    return tag
