from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stackcost.catalog import Catalog
from stackcost.paths import pricing_data_root
from stackcost.sizing.load import load_stack
from stackcost.sizing.model import Stack

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load("ap-northeast-2")


@pytest.fixture(scope="session")
def stack() -> Stack:
    return load_stack(None)[0]


@pytest.fixture()
def catalog_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped pricing_data root, safe to damage."""
    dst = tmp_path / "pricing_data"
    shutil.copytree(pricing_data_root(), dst)
    return dst
