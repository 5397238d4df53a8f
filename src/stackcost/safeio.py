"""Guards for everything stackcost reads from outside: bounded reads, a YAML loader that refuses what YAML would
otherwise do silently or explosively, finite-decimal parsing, and capped echoes of bad values in messages.

Other modules (billing readers, Terraform values, the page) call these rather than growing their own guards, so
every boundary refuses the same things with the same kind of one-line message.
"""

from __future__ import annotations

import math
import os
import re
import stat
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from stackcost.errors import StackcostError

ECHO_CHARS = 80  # longest piece of user input repeated in a message
MAX_NODES = 100_000  # YAML nodes after alias expansion; a sizing file has a few hundred
MAX_ALIASES = 100  # alias references in one document
MAX_MAGNITUDE = Decimal(10) ** 12  # larger quantities are typos, and would overflow cent arithmetic downstream


class InputTooLarge(StackcostError):
    """A file or value beyond the size stackcost accepts."""


class UnreadableInput(StackcostError):
    """A path that is missing, not a regular file, not readable or not text."""


class BadYaml(StackcostError):
    """YAML that is malformed, ambiguous (duplicate keys, YAML 1.1 number forms) or expands too far."""


class BadNumber(StackcostError):
    """A number that is not a finite decimal in the allowed range."""


class _Repr:
    """reprlib with a bounded look at containers, and integers too long for `repr` (Python refuses over 4,300
    digits) described by their size."""

    def __init__(self, limit: int) -> None:
        import reprlib

        class Bounded(reprlib.Repr):
            def repr_int(self, x: int, level: int) -> str:
                if x.bit_length() > 256:
                    return f"<integer of {x.bit_length():,} bits>"
                return super().repr_int(x, level)

        self.r = Bounded()  # attributes, not keywords: Python 3.11 has no keyword form
        self.r.maxlevel, self.r.maxdict, self.r.maxlist, self.r.maxtuple, self.r.maxset = 3, 6, 6, 6, 6
        self.r.maxstring = self.r.maxother = self.r.maxlong = limit


def echo(value: Any, limit: int = ECHO_CHARS) -> str:
    """`repr` of a user value for a message, cut to `limit` characters (a bad value can be megabytes, or a
    structure that aliases expand to billions of items: only a bounded part is looked at)."""
    shown = _Repr(limit).r.repr(value).replace("\n", "\\n")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def cap(message: str, limit: int = 4 * ECHO_CHARS) -> str:
    """A message that may embed user input, cut to `limit` characters on one line."""
    line = " ".join(message.split("\n"))
    return line if len(line) <= limit else line[: limit - 1] + "…"


# -- bounded reads --------------------------------------------------------------------------------------------

def read_bytes_bounded(path: Path, limit: int, what: str = "file") -> bytes:
    """At most `limit` bytes of a regular file; anything bigger, or a device/FIFO/directory, is refused without
    reading further (so `/dev/zero` or `/dev/urandom` cannot exhaust memory or hang)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise UnreadableInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UnreadableInput(f"{path}: is a directory, not a {what}") from None
    except OSError as exc:
        raise UnreadableInput(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise UnreadableInput(f"{path}: is a directory, not a {what}")
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableInput(f"{path}: not a regular file (a device, pipe or socket); give a {what}")
        if st.st_size > limit:
            raise InputTooLarge(f"{path}: {st.st_size:,} bytes, more than the {limit:,} a {what} may have")
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:  # the file grew while we read it
            raise InputTooLarge(f"{path}: more than the {limit:,} bytes a {what} may have")
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableInput(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    finally:
        os.close(fd)


def read_text_bounded(path: Path, limit: int, what: str = "file") -> str:
    data = read_bytes_bounded(path, limit, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableInput(f"{path}:{line}: not UTF-8 text (byte {data[exc.start]:#04x}); is it a {what}?") \
            from None


def read_csv_bounded(path: Path, *, what: str = "CSV file", max_bytes: int = 64 * 1024 * 1024,
                     max_rows: int = 1_000_000, max_field: int = 10_000) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file, every row checked: at most `max_bytes`, `max_rows` rows and `max_field`
    characters a field; a row with more or fewer fields than the header, or a malformed quote, is refused naming
    its line. Nothing is ever None: a reader can index every column of every row."""
    import csv
    import io

    text = read_text_bounded(path, max_bytes, what)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header:
            raise UnreadableInput(f"{path}: empty; expected a header line")
        rows: list[dict[str, str]] = []
        for fields in reader:
            if not fields:
                continue
            line = reader.line_num
            if len(rows) >= max_rows:
                raise InputTooLarge(f"{path}: more than {max_rows:,} rows; refusing it")
            if len(fields) != len(header):
                raise UnreadableInput(f"{path}:{line}: {len(fields)} fields, the header has {len(header)}")
            if any(len(f) > max_field for f in fields):
                raise InputTooLarge(f"{path}:{line}: a field longer than {max_field:,} characters")
            rows.append(dict(zip(header, fields, strict=True)))
    except csv.Error as exc:
        raise UnreadableInput(f"{path}:{reader.line_num}: not valid CSV ({cap(str(exc), ECHO_CHARS)})") from None
    return header, rows


# -- numbers --------------------------------------------------------------------------------------------------

def finite_decimal(text: Any, what: str, *, minimum: Decimal | None = Decimal(0),
                   maximum: Decimal | None = None) -> Decimal:
    """`text` as a Decimal that is finite and within [minimum, maximum]; anything else is one `BadNumber` line."""
    if isinstance(text, bool):
        raise BadNumber(f"{what}: {echo(text)} is not a number")
    try:
        value = Decimal(text.strip()) if isinstance(text, str) else Decimal(str(text))
    except (InvalidOperation, ValueError, TypeError):
        raise BadNumber(f"{what}: {echo(text)} is not a number") from None
    if not value.is_finite():
        raise BadNumber(f"{what}: {echo(text)} is not a finite number")
    if minimum is not None and value < minimum:
        raise BadNumber(f"{what}: {echo(text)} is below {minimum}")
    if maximum is not None and value > maximum:
        raise BadNumber(f"{what}: {echo(text)} is above {maximum}")
    return value


def finite_float(value: float, what: str, lo: float | None = None, hi: float | None = None) -> float:
    if not math.isfinite(value):
        raise BadNumber(f"{what}: {value} is not a finite number")
    if lo is not None and value < lo:
        raise BadNumber(f"{what}: {value} is below {lo}")
    if hi is not None and value > hi:
        raise BadNumber(f"{what}: {value} is above {hi}")
    return value


# -- YAML ----------------------------------------------------------------------------------------------------

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_OCTAL = re.compile(r"^[-+]?0[0-7_]+$")
_NONFINITE = re.compile(r"^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$")


def _loader() -> Any:
    import yaml

    # libyaml's safe loader when the wheel has it: the same safe subset, ~10x faster than the pure-Python one.
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, source: str) -> Any:
    """Parse one YAML document safely: the node graph is checked before anything is constructed.

    Refused, each with one line naming `source:line`: alias expansion beyond MAX_NODES nodes or MAX_ALIASES
    aliases (a "billion laughs" file is refused in microseconds, not expanded), duplicate mapping keys (YAML
    would keep the last silently), YAML 1.1 sexagesimal (`1:40` = 100) and leading-zero octal (`010` = 8)
    numbers, and `.nan` / `.inf`.
    """
    import yaml

    loader = _loader()(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
            raise BadYaml(f"{where}: {exc.problem or exc.context}") from None
        except yaml.YAMLError as exc:
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise BadYaml(f"{source}: not valid YAML ({first[:ECHO_CHARS]})") from None
        if node is None:
            return None
        _check(node, source)
        try:
            return loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            where = f"{source}:{mark.line + 1}" if mark else source
            raise BadYaml(f"{where}: {exc.problem or exc.context}") from None
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise BadYaml(f"{source}: cannot be read ({first[:ECHO_CHARS]})") from None
    finally:
        loader.dispose()


def _check(root: Any, source: str) -> None:
    import yaml

    sizes: dict[int, int] = {}
    aliases = 0
    # Iterative post-order walk over the node DAG: an alias is the same node object reached twice, so the
    # expanded size is computed from memoised child sizes without ever expanding anything.
    stack: list[tuple[Any, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            if isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            elif isinstance(node, yaml.SequenceNode):
                children = list(node.value)
            else:
                children = []
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > MAX_NODES:
                raise BadYaml(f"{source}:{node.start_mark.line + 1}: expands to more than {MAX_NODES:,} values "
                              "through aliases; refusing it (write the values out)")
            continue
        if key in sizes:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise BadYaml(f"{source}:{node.start_mark.line + 1}: more than {MAX_ALIASES} alias references; "
                              "refusing it")
            continue
        if key in on_path:  # a recursive alias (&a [*a]) is infinite when expanded
            raise BadYaml(f"{source}:{node.start_mark.line + 1}: a recursive alias; refusing it")
        on_path.add(key)
        stack.append((node, True))
        if isinstance(node, yaml.ScalarNode):
            _check_scalar(node, source)
        elif isinstance(node, yaml.MappingNode):
            _check_keys(node, source)
            for k, v in node.value:
                stack.append((v, False))
                stack.append((k, False))
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                stack.append((item, False))


def _check_scalar(node: Any, source: str) -> None:
    if node.style not in (None, "") or node.tag not in (_INT, _FLOAT):
        return  # quoted, or not read as a number
    value = node.value
    line = node.start_mark.line + 1
    if _SEXAGESIMAL.match(value):
        raise BadYaml(f"{source}:{line}: {echo(value)} is a base-60 number in YAML 1.1 (read as "
                      f"{_sexagesimal(value)}); quote it if it is text, or write the plain number")
    if node.tag == _INT and _OCTAL.match(value) and value.strip("+-") != "0":
        raise BadYaml(f"{source}:{line}: {echo(value)} is an octal number in YAML 1.1 (read as "
                      f"{int(value.replace('_', ''), 8)}); write it without the leading zero, or quote it")
    if _NONFINITE.match(value):
        raise BadYaml(f"{source}:{line}: {echo(value)} is not a finite number")
    if len(value) > 64:  # far beyond any quantity, and int() of thousands of digits is refused or slow
        raise BadYaml(f"{source}:{line}: a {len(value):,}-character number is too large")


def _sexagesimal(value: str) -> str:
    sign = -1 if value.startswith("-") else 1
    total = Decimal(0)
    for part in value.lstrip("+-").replace("_", "").split(":"):
        total = total * 60 + Decimal(part)
    return format(sign * total, "f")


def _check_keys(node: Any, source: str) -> None:
    import yaml

    seen: dict[tuple[str, str], int] = {}
    for k, _ in node.value:
        if not isinstance(k, yaml.ScalarNode):
            continue
        if k.tag == "tag:yaml.org,2002:merge":
            continue
        ident = (k.tag, k.value)
        line = k.start_mark.line + 1
        if ident in seen:
            raise BadYaml(f"{source}:{line}: duplicate key {echo(k.value)} (first at line {seen[ident]}); YAML "
                          "would silently keep only the last one")
        seen[ident] = line


def check_magnitudes(data: Any, source: str, limit: Decimal = MAX_MAGNITUDE) -> None:
    """Refuse numbers (or numeric strings) beyond `limit` in absolute value, and non-finite ones, anywhere in
    parsed data: no quantity in a sizing is that large, and such values would overflow cent arithmetic."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(value))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int | float | str):
            _check_number(value, where or "<top level>", source, limit)


_NUMERIC = re.compile(r"^\s*[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def _check_number(value: int | float | str, where: str, source: str, limit: Decimal) -> None:
    if isinstance(value, str):
        if len(value) > 64 or not _NUMERIC.match(value):
            return
        try:
            number = Decimal(value.replace("_", ""))
        except InvalidOperation:
            return
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise BadNumber(f"{source}: {where}: {value} is not a finite number")
        number = Decimal(repr(value))
    else:
        if value.bit_length() > 64:
            raise BadNumber(f"{source}: {where}: {echo(value)} is too large (at most {limit:,.0f})")
        number = Decimal(value)
    if abs(number) > limit:
        raise BadNumber(f"{source}: {where}: {echo(value)} is too large (at most {limit:,.0f})")
