"""Where the shipped price catalog lives.

A wheel carries it as `stackcost/pricing_data` (hatchling force-include); an editable install or a source
checkout finds the repository's top-level `pricing_data/`. `STACKCOST_PRICING_DATA` overrides both.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def pricing_data_root() -> Path:
    env = os.environ.get("STACKCOST_PRICING_DATA")
    if env:
        return Path(env)
    bundled = _PACKAGE / "pricing_data"
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent.parent / "pricing_data"


def region_dir(region: str, root: Path | None = None) -> Path:
    return (root or pricing_data_root()) / region
