from flask import Flask
import requests
app = Flask(__name__)
