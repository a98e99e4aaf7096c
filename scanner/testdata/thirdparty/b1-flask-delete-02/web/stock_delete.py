# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
from __main__ import app, redirect, render_template, session, url_for


@app.route("/delete")
def delete_stock():
    if session["signed_in"] == False:
        return redirect(url_for("sign_in"))
    return render_template("stock_delete.html", title="Remove stock")
