from fastapi import FastAPI

app = FastAPI()
notes = {}


@app.get("/notes")
def list_notes():  # ok: AUTH-001
    return list(notes.values())


@app.post("/notes")
def add_note(note: dict):
    notes[len(notes)] = note
    return note


@app.delete("/notes/{note_id}")
def delete_note(note_id: int):
    notes.pop(note_id, None)
