# Written for vigil-proxy's third-party-style corpus after the shape of a public FastAPI app.
from unittest.mock import MagicMock

import pytest

from app.services.order_service import OrderService


def build_service():
    return MagicMock(spec=OrderService)


@pytest.mark.asyncio
async def test_find_order():
    service = build_service()
    service.find_order.return_value = {"id": 7, "status": "packed"}

    order = await service.find_order(7)

    assert order["id"] == 7
    assert order["status"] == "packed"
    service.find_order.assert_called_once_with(7)
