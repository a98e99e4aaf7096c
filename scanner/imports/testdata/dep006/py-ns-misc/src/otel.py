import flask  # EXPECT flask
from opentelemetry.instrumentation.flask import FlaskInstrumentor  # EXPECT opentelemetry-instrumentation-flask
FlaskInstrumentor().instrument_app(flask.Flask(__name__))
