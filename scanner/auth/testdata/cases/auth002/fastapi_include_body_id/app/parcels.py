from fastapi import APIRouter

from app.schemas import ParcelId, Prefs

router = APIRouter()


@router.delete("/parcels/")
def drop_parcel(parcel: ParcelId):  # want: AUTH-002
    return remove(parcel.id)


@router.put("/parcels/{parcel_id}")
def edit_parcel(parcel_id: int, body: dict):  # want: AUTH-002
    return save(parcel_id, body)


@router.patch("/preferences")
def update_preferences(prefs: Prefs):  # ok: AUTH-002
    return save_prefs(prefs)
