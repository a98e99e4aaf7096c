from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["https://docs.example.com"])  # ok: AUTH-005
app.add_middleware(CORSMiddleware, allow_origins=[], allow_credentials=True)  # ok: AUTH-005


@app.get("/quotes")
def quotes():
    return []
