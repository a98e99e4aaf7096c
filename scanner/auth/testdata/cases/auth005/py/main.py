from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import OAuth2PasswordBearer
from flask_cors import CORS, cross_origin

app = FastAPI()
oauth2 = OAuth2PasswordBearer(tokenUrl="token")
ORIGINS = ["*"]

app.add_middleware(CORSMiddleware, allow_origins=ORIGINS, allow_credentials=True)  # want: AUTH-005
app.add_middleware(CORSMiddleware, allow_origins=["*"])  # want: AUTH-005
app.add_middleware(CORSMiddleware, allow_origin_regex=".*", allow_credentials=True)  # want: AUTH-005
app.add_middleware(CORSMiddleware, allow_origins=["null"])  # want: AUTH-005
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True)  # ok: AUTH-005
app.add_middleware(CORSMiddleware, allow_origin_regex=r"https://.*\.example\.com", allow_credentials=True)  # ok: AUTH-005


def flask_part(flask_app):
    CORS(flask_app, supports_credentials=True)  # want: AUTH-005
    CORS(flask_app, resources={r"/api/*": {"origins": "https://app.example.com"}})  # ok: AUTH-005


@cross_origin(origins=["https://a.example.com"])
def view():  # ok: AUTH-005
    return ""


def echo(request, response):
    response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin")  # want: AUTH-005
    return response
