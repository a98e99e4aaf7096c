# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from planner.views import meals

api = FastAPI(title="meal planner", version="0.4")
api.include_router(meals.router, prefix="/meals")

# the browser client is served from several preview hosts
api.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_methods=["GET", "POST", "DELETE"],
    allow_credentials=True,
    allow_headers=["Authorization", "Content-Type"],
    max_age=600,
)
