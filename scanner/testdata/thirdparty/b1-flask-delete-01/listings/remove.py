# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
from flask import Blueprint, redirect, url_for

from storage.db import db
from storage.models import Listing

listings_bp = Blueprint("listings", __name__)


@listings_bp.route("/listing_delete/<int:listing_id>")
def listing_delete(listing_id):
    listing = Listing.query.get_or_404(listing_id)
    db.session.delete(listing)
    db.session.commit()
    return redirect(url_for("listings.index"))
