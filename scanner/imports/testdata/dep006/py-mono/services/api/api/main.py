from fastapi import FastAPI
from sqlalchemy.orm import Session
from pydantic import BaseModel
from common.models import User
app = FastAPI()
