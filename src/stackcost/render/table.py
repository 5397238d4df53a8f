"""Tables that fit the width they get: the terminal's, `COLUMNS` when piped, 100 by default.

Amounts and headers never wrap or truncate: a numeric column is as wide as its widest cell. Text columns fold
(wrap inside the column) down to a minimum, and when even that does not fit, the columns marked droppable go,
least needed first (the basis of each line moves under the table or into `--wide`).
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

DEFAULT_WIDTH = 100
GAP = 3  # rich's SIMPLE_HEAD box without edges: a blank rule and one space of padding either side between columns


def width() -> int:
    """The width outputs are made for: the terminal's, else `COLUMNS`, else 100."""
    if sys.stdout.isatty():
        return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    try:
        cols = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return DEFAULT_WIDTH
    return cols if 40 <= cols <= 1000 else DEFAULT_WIDTH


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(width=width(), stderr=stderr, soft_wrap=False, highlight=False)


@dataclass(frozen=True)
class Col:
    header: str
    numeric: bool = False  # never wraps: as wide as its widest cell
    min_width: int = 10  # a text column folds down to this (or its header's longest word)
    drop: int = 0  # 0: always shown; otherwise dropped when too narrow, the highest number first
    justify: str = ""
    words: bool = False  # never break a word of its cells (service names, units)


def _plain(cell: Any) -> str:
    from rich.text import Text

    return cell.plain if isinstance(cell, Text) else str(cell)


def _natural(col: Col, cells: list[Any]) -> int:
    longest_cell = max((max((len(line) for line in _plain(c).splitlines()), default=0) for c in cells), default=0)
    return max(len(col.header), longest_cell)


def _needed(col: Col, natural: int, cells: list[Any] | None = None) -> int:
    if col.numeric:
        return natural
    words = col.header.split() + ([w for c in cells or [] for w in _plain(c).split()] if col.words else [])
    return max(min(natural, col.min_width), max((len(w) for w in words), default=0))


def _overhead(n: int) -> int:
    return GAP * max(n - 1, 0)


def fit(cols: list[Col], rows: list[list[Any]], available: int) -> list[int]:
    """The indexes of the columns that fit in `available` characters."""
    keep = list(range(len(cols)))
    naturals = [_natural(c, [r[i] for r in rows]) for i, c in enumerate(cols)]
    while True:
        need = sum(_needed(cols[i], naturals[i], [r[i] for r in rows]) for i in keep) + _overhead(len(keep))
        droppable = [i for i in keep if cols[i].drop]
        if need <= available or not droppable:
            return keep
        keep.remove(max(droppable, key=lambda i: cols[i].drop))


def widths(cols: list[Col], rows: list[list[Any]], keep: list[int], available: int) -> dict[int, int]:
    """A width for each kept column: numeric ones their widest cell; text ones at least what they need, the
    space left shared among them in proportion to how much more they could use."""
    naturals = {i: _natural(cols[i], [r[i] for r in rows]) for i in keep}
    out = {i: naturals[i] if cols[i].numeric else _needed(cols[i], naturals[i], [r[i] for r in rows]) for i in keep}
    spare = available - sum(out.values()) - _overhead(len(keep))
    wants = {i: naturals[i] - out[i] for i in keep if not cols[i].numeric and naturals[i] > out[i]}
    total = sum(wants.values())
    if spare > 0 and total:
        for i, want in wants.items():
            out[i] += min(want, spare * want // total)
    return out


def table(cols: list[Col], rows: list[list[Any]], available: int, *, title: str = "",
          sections: set[int] | None = None) -> tuple[Any, list[int]]:
    """A rich Table of the columns that fit, and which ones were kept. `sections`: row indexes that end a section
    (a rule is drawn under them)."""
    from rich import box
    from rich.table import Table

    keep = fit(cols, rows, available)
    sizes = widths(cols, rows, keep, available)
    t = Table(title=title or None, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, expand=False,
              show_edge=False)
    for i in keep:
        c = cols[i]
        justify = c.justify or ("right" if c.numeric else "left")
        t.add_column(c.header, justify=justify, width=sizes[i], no_wrap=c.numeric,  # type: ignore[arg-type]
                     overflow="ellipsis" if c.numeric else "fold")
    ends = sections or set()
    for n, r in enumerate(rows):
        t.add_row(*[r[i] for i in keep], end_section=n in ends)
    return t, keep
