"""A small evaluator for the Terraform expressions a sizing needs: literals, `var.x` / `local.x`, string
templates, `length()`, `tonumber()`/`tostring()`/`lower()`/`upper()`/`min()`/`max()`, comparisons, `&&`/`||`/`!`,
arithmetic and `cond ? a : b`. Anything else (a module output, a data source, an unknown function) raises
Unresolved with the reason, so the importer can report it instead of guessing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_TOKEN = re.compile(r"""\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>"(?:[^"\\]|\\.)*")
                       |(?P<op>==|!=|<=|>=|&&|\|\||[-+*/%<>!?:(),\[\].])
                       |(?P<name>[A-Za-z_][A-Za-z0-9_-]*))""", re.VERBOSE)


class Unresolved(Exception):
    """An expression the importer cannot evaluate; the message says what is missing."""


FUNCS: dict[str, Callable[..., Any]] = {
    "length": len, "tonumber": lambda x: float(x) if "." in str(x) else int(x), "tostring": str,
    "lower": lambda s: str(s).lower(), "upper": lambda s: str(s).upper(), "min": min, "max": max,
    "tobool": lambda x: x if isinstance(x, bool) else str(x) == "true",
}


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Unresolved(f"cannot read {text[pos:pos + 20]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, scope: dict[str, dict[str, Any]]) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.scope = scope

    def peek(self) -> str:
        return self.toks[self.i][1] if self.i < len(self.toks) else ""

    def take(self, want: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.toks):
            raise Unresolved("unexpected end of expression")
        tok = self.toks[self.i]
        if want is not None and tok[1] != want:
            raise Unresolved(f"expected {want!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def parse(self) -> Any:
        value = self.ternary()
        if self.i != len(self.toks):
            raise Unresolved(f"unexpected {self.peek()!r}")
        return value

    def ternary(self) -> Any:
        cond = self.binary(0)
        if self.peek() == "?":
            self.take("?")
            a = self.ternary()
            self.take(":")
            b = self.ternary()
            return a if cond else b
        return cond

    LEVELS: tuple[tuple[str, ...], ...] = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"),
                                           ("*", "/", "%"))

    def binary(self, level: int) -> Any:
        if level == len(self.LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in self.LEVELS[level]:
            op = self.take()[1]
            right = self.binary(level + 1)
            left = _apply(op, left, right)
        return left

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not self.unary()
        if self.peek() == "-":
            self.take()
            return -self.unary()
        return self.postfix(self.primary())

    def postfix(self, value: Any) -> Any:
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                key = self.take()[1]
                if not isinstance(value, dict) or key not in value:
                    raise Unresolved(f"no attribute {key!r}")
                value = value[key]
            else:
                idx = self.ternary()
                self.take("]")
                try:
                    value = value[int(idx) if isinstance(value, list) else idx]
                except (KeyError, IndexError, TypeError, ValueError):
                    raise Unresolved(f"index {idx!r} not found") from None
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind == "str":
            return template(text[1:-1], self.scope)
        if text == "(":
            v = self.ternary()
            self.take(")")
            return v
        if text == "[":
            items = []
            while self.peek() != "]":
                items.append(self.ternary())
                if self.peek() == ",":
                    self.take()
            self.take("]")
            return items
        if kind != "name":
            raise Unresolved(f"unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self.peek() == "(":
            self.take("(")
            args = []
            while self.peek() != ")":
                args.append(self.ternary())
                if self.peek() == ",":
                    self.take()
            self.take(")")
            if text not in FUNCS:
                raise Unresolved(f"function {text}() is not supported")
            return FUNCS[text](*args)
        if text in ("var", "local"):
            self.take(".")
            name = self.take()[1]
            table = self.scope.get(text, {})
            if name not in table:
                raise Unresolved(f"{text}.{name} has no value (give it in a --var-file)")
            found = table[name]
            if getattr(found, "reason", None) is not None and type(found).__name__ == "Unknown":
                raise Unresolved(f"{text}.{name}: {found.reason}")
            return found
        raise Unresolved(f"{text}.… (a {'module output' if text == 'module' else 'reference'}) is not known "
                         "before apply")


def _apply(op: str, a: Any, b: Any) -> Any:
    try:
        if op == "==":
            return a == b
        if op == "!=":
            return a != b
        if op == "&&":
            return bool(a) and bool(b)
        if op == "||":
            return bool(a) or bool(b)
        return {"<": lambda: a < b, ">": lambda: a > b, "<=": lambda: a <= b, ">=": lambda: a >= b,
                "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
                "%": lambda: a % b}[op]()
    except TypeError:
        raise Unresolved(f"cannot compute {a!r} {op} {b!r}") from None


_INTERP = re.compile(r"\$\{([^}]*)\}")


def template(text: str, scope: dict[str, dict[str, Any]]) -> Any:
    """A quoted HCL string: "${x}" alone keeps x's type; otherwise interpolations are joined as text."""
    m = _INTERP.fullmatch(text)
    if m:
        return evaluate_expr(m.group(1), scope)
    return _INTERP.sub(lambda mm: str(evaluate_expr(mm.group(1), scope)), text).replace('\\"', '"')


def evaluate_expr(text: str, scope: dict[str, dict[str, Any]]) -> Any:
    return _Parser(text, scope).parse()


def value(raw: Any, scope: dict[str, dict[str, Any]]) -> Any:
    """A python-hcl2 value (quoted strings, "${expr}" strings, lists, dicts, numbers) evaluated in scope."""
    if isinstance(raw, str):
        if raw.startswith("${") and raw.endswith("}") and _INTERP.fullmatch(raw):
            return evaluate_expr(raw[2:-1], scope)
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            return template(raw[1:-1], scope)
        return raw
    if isinstance(raw, list):
        return [value(v, scope) for v in raw]
    if isinstance(raw, dict):
        return {k: value(v, scope) for k, v in raw.items() if not k.startswith("__")}
    return raw
