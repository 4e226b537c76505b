import pytest

from .scenario import build_scenario


@pytest.fixture
def scenario(world):
    return build_scenario(world)
