# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from typing import List

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from app.core import db_session, paging
from app.schemas import common, shipment
from app.services.shipments import ShipmentService as svc

router = APIRouter()
base_path = "/shipments/"


class ShipmentHandlers:

    @router.post("/customers/{customer_id}" + base_path, response_model=shipment.Shipment)
    def add_shipment(customer_id: str, data: shipment.ShipmentIn, db: Session = Depends(db_session.get_db)):
        return svc.add(db=db, data=data, customer_id=customer_id)

    @router.put(base_path + "{shipment_id}", response_model=shipment.Shipment)
    def change_shipment(shipment_id: int, data: shipment.ShipmentIn, db: Session = Depends(db_session.get_db)):
        if svc.get(db, shipment_id=shipment_id) is None:
            raise HTTPException(status_code=404, detail="no such shipment")
        return svc.change(db=db, data=data, shipment_id=shipment_id)

    @router.get(base_path, response_model=List[shipment.Shipment])
    def list_shipments(page: dict = Depends(paging.page_params), db: Session = Depends(db_session.get_db)):
        return svc.list(db, offset=page["offset"], size=page["size"])

    @router.get(base_path + "{shipment_id}", response_model=shipment.Shipment)
    def get_shipment(shipment_id: int, db: Session = Depends(db_session.get_db)):
        found = svc.get(db, shipment_id=shipment_id)
        if found is None:
            raise HTTPException(status_code=404, detail="no such shipment")
        return found

    @router.delete(base_path, response_model=common.Removed)
    def drop_shipment(target: shipment.ShipmentId, db: Session = Depends(db_session.get_db)):
        if svc.get(db, shipment_id=target.id) is None:
            raise HTTPException(status_code=404, detail="no such shipment")
        svc.drop(db=db, shipment_id=target.id)
        return {"id": target.id}
