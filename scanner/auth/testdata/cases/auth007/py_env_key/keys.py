import os

from fastapi import Header, HTTPException


def check_service_key(x_api_key: str = Header(...)):
    if x_api_key != os.environ["SERVICE_KEY"]:  # want: AUTH-007
        raise HTTPException(status_code=401)


def check_partner(partner_api_key: str = Header(...)):
    if partner_api_key == os.getenv("PARTNER_KEY"):  # want: AUTH-007
        return True
    return False


def region_matches(region: str):
    return region == os.environ["DEPLOY_KEY_REGION"]  # ok: AUTH-007


def deploy_mode():
    return os.environ["MODE"] == "production"  # ok: AUTH-007
