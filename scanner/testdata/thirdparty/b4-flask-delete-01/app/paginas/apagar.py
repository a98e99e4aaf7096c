# Written for vigil-proxy's third-party-style corpus after the shape of a public Flask app.
from flask import Blueprint, redirect, url_for

from app.modelos import Cliente, db

paginas = Blueprint("apagar", __name__)


@paginas.route("/<int:codigo>")
def apagar(codigo):
    cliente = Cliente.query.filter_by(codigo=codigo).first()

    db.session.delete(cliente)
    db.session.commit()

    return redirect(url_for("clientes.lista"))
