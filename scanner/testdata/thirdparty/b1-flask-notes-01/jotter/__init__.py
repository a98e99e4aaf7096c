# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
import os

from flask import Flask


def build_app(overrides=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        DATABASE=os.path.join(app.instance_path, "jotter.db"),
        SECRET_KEY="dev",
    )
    if overrides:
        app.config.update(overrides)
    else:
        app.config.from_pyfile("settings.py", silent=True)

    @app.route("/ping")
    def ping():
        return "pong"

    from jotter import storage
    storage.register(app)

    from jotter import accounts, notes
    app.register_blueprint(accounts.bp)
    app.register_blueprint(notes.bp)
    app.add_url_rule("/", endpoint="home")
    return app
