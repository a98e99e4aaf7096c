from flask import Flask
import sqlalchemy  # EXPECT sqlalchemy
app = Flask(__name__)
