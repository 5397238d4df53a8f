"""Tables that fit the width they get: the terminal's, `COLUMNS` when piped, 100 by default.

Amounts and headers never wrap or truncate: a numeric column is as wide as its widest cell. Text columns fold
(wrap inside the column) down to a minimum, and when even that does not fit, the columns marked droppable go,
least needed first (the basis of each line moves under the table or into `--wide`).

The layout is computed here, so printing it is string joining: no terminal library on the start path (rich
cost ~120 ms of a cold `cost estimate` to import and lay out the same table). Styles (bold, dim, yellow) are
ANSI codes, written only to a terminal and never when NO_COLOR is set or TERM is dumb.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

DEFAULT_WIDTH = 100
GAP = 3  # spaces between two columns
_SGR = {"bold": "1", "dim": "2", "italic": "3", "yellow": "33"}


def width() -> int:
    """The width outputs are made for: the terminal's, else `COLUMNS`, else 100."""
    # On a terminal as shutil.get_terminal_size: COLUMNS first, then the terminal's own size.
    if sys.stdout is not None and sys.stdout.isatty():
        try:
            if int(os.environ["COLUMNS"]) > 0:
                return int(os.environ["COLUMNS"])
        except (KeyError, ValueError):
            pass
        try:
            return os.get_terminal_size(sys.stdout.fileno()).columns or DEFAULT_WIDTH
        except (OSError, ValueError):
            return DEFAULT_WIDTH
    try:
        cols = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return DEFAULT_WIDTH
    return cols if 40 <= cols <= 1000 else DEFAULT_WIDTH


class Col:
    """A column: how it is laid out and, when the width runs short, in which order it goes.

    `numeric`: never wraps, as wide as its widest cell. `min_width`: a text column folds down to this (or its
    header's longest word). `drop`: 0 is always shown; otherwise dropped when too narrow, the highest number first.
    `words`: never break a word of its cells (service names, units)."""

    __slots__ = ("drop", "header", "justify", "min_width", "numeric", "words")

    def __init__(self, header: str, numeric: bool = False, min_width: int = 10, drop: int = 0, justify: str = "",
                 words: bool = False) -> None:
        self.header, self.numeric, self.min_width, self.drop, self.justify, self.words = \
            header, numeric, min_width, drop, justify, words


class Styled:
    """A piece of text and how it is shown on a terminal ("bold", "dim", "yellow"; "" for plain)."""

    __slots__ = ("plain", "style")

    def __init__(self, plain: str, style: str = "") -> None:
        self.plain = plain
        self.style = style

    def __str__(self) -> str:
        return self.plain

    def __repr__(self) -> str:
        return f"Styled({self.plain!r}, {self.style!r})"


def _plain(cell: Any) -> str:
    return cell.plain if isinstance(cell, Styled) else str(cell)


def _style(cell: Any) -> str:
    return cell.style if isinstance(cell, Styled) else ""


def _paint(text: str, style: str, color: bool) -> str:
    codes = ";".join(_SGR[s] for s in style.split() if s in _SGR)
    return f"\x1b[{codes}m{text}\x1b[0m" if color and codes and text else text


def cells(text: str) -> int:
    """The terminal columns `text` takes: East Asian wide and full-width characters (Korean, for one) take two,
    combining marks none."""
    if text.isascii():
        return len(text)
    from unicodedata import combining, east_asian_width

    return sum(0 if combining(c) else 2 if east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, size: int) -> list[str]:
    """Words to lines of at most `size` terminal columns; a word wider than that is folded."""
    size = max(size, 1)
    out: list[str] = []
    for para in text.split("\n"):
        line, used = "", 0
        for word in para.split():
            width = cells(word)
            while width > size:
                if line:
                    out.append(line)
                    line, used = "", 0
                head, word = _fold(word, size)
                out.append(head)
                width = cells(word)
            if not line:
                line, used = word, width
            elif used + 1 + width <= size:
                line, used = f"{line} {word}", used + 1 + width
            else:
                out.append(line)
                line, used = word, width
        out.append(line)
    return out


def _fold(word: str, size: int) -> tuple[str, str]:
    """The longest head of `word` that fits in `size` columns (at least one character), and the rest."""
    used = 0
    for i, c in enumerate(word):
        used += cells(c)
        if used > size:
            return word[:max(i, 1)], word[max(i, 1):]
    return word, ""


def _pad(text: str, size: int, right: bool) -> str:
    gap = " " * max(size - cells(text), 0)
    return gap + text if right else text + gap


def _natural(col: Col, column: list[Any]) -> int:
    longest = max((max((cells(line) for line in _plain(c).splitlines()), default=0) for c in column), default=0)
    return max(cells(col.header), longest)


def _needed(col: Col, natural: int, column: list[Any] | None = None) -> int:
    if col.numeric:
        return natural
    words = col.header.split() + ([w for c in column or [] for w in _plain(c).split()] if col.words else [])
    return max(min(natural, col.min_width), max((cells(w) for w in words), default=0))


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
    # Still too wide with every droppable column gone: a numeric column's header (an environment's name, say)
    # folds down to its widest amount rather than push the table past the width; the amounts stay whole.
    if spare < 0:
        amounts = {i: max((cells(line) for r in rows for line in _plain(r[i]).splitlines()), default=1)
                   for i in keep if cols[i].numeric}
        for i in sorted(amounts, key=lambda i: amounts[i] - out[i]):  # the longest header beyond its amounts first
            give = min(-spare, out[i] - max(amounts[i], 1))
            if give > 0:
                out[i] -= give
                spare += give
    return out


class Grid:
    """A fitted table: a title, columns of fixed width, rows; `lines()` lays it out."""

    def __init__(self, title: str, cols: list[Col], sizes: list[int], rows: list[list[Any]], ends: set[int]) -> None:
        self.title, self.cols, self.sizes, self.rows, self.ends = title, cols, sizes, rows, ends

    def _row(self, cells: list[Any], color: bool, header: bool = False) -> list[str]:
        cols = []
        for c, size, cell in zip(self.cols, self.sizes, cells, strict=True):
            text, style = _plain(cell), ("bold" if header else _style(cell))
            parts = [text] if c.numeric and not header else wrap(text, size)
            right = (c.justify or ("right" if c.numeric else "left")) == "right"
            cols.append([(_pad(p, size, right), p, style) for p in parts])
        height = max(len(c) for c in cols)
        lines = []
        for n in range(height):
            pieces = []
            for size, col in zip(self.sizes, cols, strict=True):
                padded, text, style = col[n] if n < len(col) else (" " * size, "", "")
                pieces.append(padded.replace(text, _paint(text, style, color), 1) if text else padded)
            lines.append((" " * GAP).join(pieces).rstrip())
        return lines

    def lines(self, color: bool = False) -> list[str]:
        total = sum(self.sizes) + _overhead(len(self.sizes))
        out = [_paint(line, "italic", color) for line in wrap(self.title, total)] if self.title else []
        out += self._row([c.header for c in self.cols], color, header=True)
        out.append("─" * total)
        for n, r in enumerate(self.rows):
            out += self._row(r, color)
            if n in self.ends and n != len(self.rows) - 1:
                out.append("")
        return out


def table(cols: list[Col], rows: list[list[Any]], available: int, *, title: str = "",
          sections: set[int] | None = None) -> tuple[Grid, list[int]]:
    """The columns that fit as a Grid, and which ones were kept. `sections`: row indexes that end a section (a
    blank line follows them)."""
    keep = fit(cols, rows, available)
    sizes = widths(cols, rows, keep, available)
    grid = Grid(title, [cols[i] for i in keep], [sizes[i] for i in keep], [[r[i] for i in keep] for r in rows],
                sections or set())
    return grid, keep


def _color(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(os.environ.get("FORCE_COLOR")) or stream.isatty()


def lines_of(parts: list[Any], available: int, color: bool = False) -> list[str]:
    """Text lines of what a renderer returned: grids, styled or plain text (wrapped to `available`), lists."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, Grid):
            out += part.lines(color)
        elif isinstance(part, list):
            out += lines_of(part, available, color)
        else:
            out += [_paint(line, _style(part), color) for line in wrap(_plain(part), available)]
    return out


def show(parts: list[Any], stream: IO[str] | None = None) -> None:
    """Print renderer output to stdout (or `stream`), fitted to `width()`."""
    out = stream or sys.stdout
    if out is None:  # started with stdout closed: nowhere to print
        return
    out.write("".join(line + "\n" for line in lines_of(parts, width(), _color(out))))
