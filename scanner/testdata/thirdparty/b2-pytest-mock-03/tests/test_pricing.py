# Written for vigil-proxy's third-party-style corpus after the shape of a public Python project's test suite.
import unittest.mock as mock

import shop.pricing as pricing


@mock.patch("shop.pricing.price_for")
def test_price_for(fake_price_for):
    fake_price_for.return_value = 12.5
    price = pricing.price_for("SKU-1")
    assert price == 12.5
