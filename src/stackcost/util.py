"""Small helpers shared by the commands."""

from __future__ import annotations

import os
import tempfile
from decimal import Decimal
from pathlib import Path


def plain(value: Decimal) -> str:
    """Exact decimal string without exponent or trailing zeros ("10240", "0.5")."""
    return format(value.normalize(), "f")


def write_atomic(path: Path, text: str) -> None:
    """Write to a temp file beside `path`, then rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        readable(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def readable(path: Path) -> None:
    """mkstemp makes files private (0600); a written report or config is meant to be read: honour the umask."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)
