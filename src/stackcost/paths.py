"""Where the shipped price catalog lives.

A wheel carries it as `stackcost/pricing_data` (hatchling force-include); an editable install or a source
checkout finds the repository's top-level `pricing_data/`. `STACKCOST_PRICING_DATA` overrides both.

Strings, not pathlib, on the way to loading the catalog: importing pathlib costs more here than the load.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (slow here); mypy takes it as True

if TYPE_CHECKING:
    from pathlib import Path

_PACKAGE = os.path.dirname(os.path.realpath(__file__))  # Path(__file__).resolve().parent


def plain_path(path: str | os.PathLike[str]) -> str:
    """`str(Path(path))` without pathlib: repeated and trailing slashes and `.` parts dropped (`..` kept), so
    messages name a path exactly as a Path would."""
    text = os.fspath(path)
    # POSIX keeps exactly two leading slashes (implementation-defined); one or three and more are one.
    root = ("//" if text.startswith("//") and not text.startswith("///") else "/") if text.startswith("/") else ""
    parts = [p for p in text.split("/") if p and p != "."]
    return (root + "/".join(parts)) or "."


def pricing_data_dir() -> str:
    """The catalog root as a string (see `pricing_data_root`)."""
    env = os.environ.get("STACKCOST_PRICING_DATA")
    if env:
        return plain_path(env)
    bundled = os.path.join(_PACKAGE, "pricing_data")
    if os.path.isdir(bundled):
        return bundled
    return os.path.join(os.path.dirname(os.path.dirname(_PACKAGE)), "pricing_data")


def pricing_data_root() -> Path:
    from pathlib import Path

    return Path(pricing_data_dir())


def region_dir(region: str, root: Path | None = None) -> Path:
    from pathlib import Path

    return Path(root or pricing_data_dir()) / region
