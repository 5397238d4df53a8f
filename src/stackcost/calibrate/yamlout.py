"""A sizing as YAML with a comment on any value: block style, bands inline ({low, typical, high}), strings
double-quoted (JSON strings are valid YAML), numbers without exponents."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

Path_ = tuple[str | int, ...]
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_BAND = {"low", "typical", "high"}


def scalar(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        s = format(v.normalize(), "f")
        return s
    if isinstance(v, int | float):
        return str(v)
    return json.dumps(str(v), ensure_ascii=False)


def _key(k: Any) -> str:
    s = str(k)
    return s if _KEY.match(s) and s.lower() not in ("true", "false", "null", "yes", "no", "on", "off") \
        else json.dumps(s, ensure_ascii=False)


def _inline(v: Any) -> str | None:
    if isinstance(v, dict) and set(v) == _BAND:
        if v["low"] == v["typical"] == v["high"]:
            return scalar(v["typical"])
        return "{" + ", ".join(f"{k}: {scalar(v[k])}" for k in ("low", "typical", "high")) + "}"
    if isinstance(v, dict) and not v:
        return "{}"
    if isinstance(v, list) and not v:
        return "[]"
    if not isinstance(v, dict | list):
        return scalar(v)
    return None


def _c(comments: dict[Path_, str], path: Path_) -> str:
    text = comments.get(path)
    return f"  # {text}" if text else ""


def dump(data: dict[str, Any], comments: dict[Path_, str] | None = None, header: list[str] | None = None) -> str:
    comments = comments or {}
    lines = [f"# {h}" for h in header or []]

    def emit(obj: dict[str, Any], indent: int, path: Path_, first_prefix: str = "") -> None:
        for i, (k, v) in enumerate(obj.items()):
            pad = " " * indent if not (first_prefix and i == 0) else first_prefix
            p = (*path, k)
            inline = _inline(v)
            if inline is not None:
                lines.append(f"{pad}{_key(k)}: {inline}{_c(comments, p)}")
            elif isinstance(v, dict):
                lines.append(f"{pad}{_key(k)}:{_c(comments, p)}")
                emit(v, indent + 2, p)
            else:
                lines.append(f"{pad}{_key(k)}:{_c(comments, p)}")
                for j, item in enumerate(v):
                    if isinstance(item, dict) and item:
                        emit(item, indent + 4, (*p, j), first_prefix=" " * (indent + 2) + "- ")
                    else:
                        lines.append(f"{' ' * (indent + 2)}- {_inline(item) or scalar(item)}")

    emit(data, 0, ())
    return "\n".join(lines) + "\n"
