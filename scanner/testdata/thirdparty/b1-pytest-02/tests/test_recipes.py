# Written for vigil-proxy's third-party-style corpus after the shape of a public Python project's test suite.
import pytest

from kitchenlab import recipes

discovered = recipes.discover()


@pytest.mark.parametrize("folder", discovered, ids=[str(p) for p in discovered])
def test_each_recipe_loads(folder):
    meta = recipes.load_meta(folder)
    assert meta.name
    assert meta.summary
    assert len(recipes.assets(folder)) > 0


@pytest.mark.skip
def test_discover():
    pass


@pytest.mark.skip
def test_load_meta():
    pass


@pytest.mark.skip
def test_assets():
    pass
