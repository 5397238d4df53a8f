"""Small helpers shared by the commands."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from stackcost.errors import StackcostError


class OutputError(StackcostError):
    """An output path that cannot be written (missing parent, no permission, a directory, a full disk)."""


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def plain(value: Decimal) -> str:
    """Exact decimal string without exponent or trailing zeros ("10240", "0.5")."""
    return format(value.normalize(), "f")


def ensure_dir(path: Path) -> Path:
    """`path` as an existing directory (made if missing), or one OutputError line."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{path}: exists and is not a directory") from None
    except OSError as exc:
        raise OutputError(f"{path}: cannot create the directory ({_why(exc)})") from None
    if not path.is_dir():
        raise OutputError(f"{path}: exists and is not a directory")
    return path


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temp path beside `path` to write to; renamed over `path` when the block ends, removed if it fails,
    so a reader never sees half a file. A path that cannot be written is one OutputError line."""
    if path.is_dir():
        raise OutputError(f"{path}: is a directory; give a file name")
    ensure_dir(path.parent)
    try:
        import tempfile  # only when writing: it pulls in shutil, random, bz2 and lzma

        fd, name = tempfile.mkstemp(prefix=f".{path.name[:100]}.", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write there ({_why(exc)})") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        readable(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write it ({_why(exc)})") from None
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
