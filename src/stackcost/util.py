"""Small helpers shared by the commands."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path


def plain(value: Decimal) -> str:
    """Exact decimal string without exponent or trailing zeros ("10240", "0.5")."""
    return format(value.normalize(), "f")


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temp path beside `path` to write to; renamed over `path` when the block ends, removed if it fails,
    so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        readable(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> None:
    with atomic_target(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def readable(path: Path) -> None:
    """mkstemp makes files private (0600); a written report or config is meant to be read: honour the umask."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)
