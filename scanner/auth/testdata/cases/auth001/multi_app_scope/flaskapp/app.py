# A second application in the repository: the DRF defaults of ../drf do
# not authenticate it, and it has no authentication of its own (one
# project-level finding). A GET that deletes changes state too.
from flask import Flask

app = Flask(__name__)


@app.route("/listing_delete/<int:listing_id>")
def listing_delete(listing_id):  # ok: AUTH-001
    Listing.query.get_or_404(listing_id).delete()
    return "ok"
