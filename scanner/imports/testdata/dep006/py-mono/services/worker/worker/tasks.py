import sqlalchemy  # EXPECT sqlalchemy (api only)
from .celery_app import app
@app.task
def count():
    return sqlalchemy.text("select 1")
