# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
import uuid

from fastapi import APIRouter, HTTPException
from sqlmodel import select

from app.api.deps import CurrentMember, Db
from app.models import Notebook, NotebookIn, NotebookPatch

router = APIRouter(prefix="/notebooks", tags=["notebooks"])


def _load(db: Db, notebook_id: uuid.UUID) -> Notebook:
    notebook = db.get(Notebook, notebook_id)
    if notebook is None:
        raise HTTPException(status_code=404, detail="no such notebook")
    return notebook


@router.get("/")
def list_notebooks(db: Db, caller: CurrentMember, offset: int = 0, size: int = 50):
    query = select(Notebook)
    if not caller.is_admin:
        query = query.where(Notebook.owner_id == caller.id)
    return db.exec(query.offset(offset).limit(size)).all()


@router.post("/")
def add_notebook(db: Db, caller: CurrentMember, data: NotebookIn):
    notebook = Notebook(**data.model_dump(), owner_id=caller.id)
    db.add(notebook)
    db.commit()
    return notebook


@router.get("/{notebook_id}")
def get_notebook(db: Db, caller: CurrentMember, notebook_id: uuid.UUID):
    notebook = _load(db, notebook_id)
    if notebook.owner_id != caller.id and not caller.is_admin:
        raise HTTPException(status_code=403, detail="not your notebook")
    return notebook


@router.put("/{notebook_id}")
def edit_notebook(db: Db, caller: CurrentMember, notebook_id: uuid.UUID, data: NotebookPatch):
    notebook = _load(db, notebook_id)
    if notebook.owner_id != caller.id and not caller.is_admin:
        raise HTTPException(status_code=403, detail="not your notebook")
    notebook.sqlmodel_update(data.model_dump(exclude_unset=True))
    db.add(notebook)
    db.commit()
    return notebook


@router.delete("/{notebook_id}")
def remove_notebook(db: Db, caller: CurrentMember, notebook_id: uuid.UUID):
    notebook = _load(db, notebook_id)
    if notebook.owner_id != caller.id and not caller.is_admin:
        raise HTTPException(status_code=403, detail="not your notebook")
    db.delete(notebook)
    db.commit()
    return {"removed": str(notebook_id)}
