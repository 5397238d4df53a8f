"""An evaluator for the Terraform expressions a sizing needs: literals, objects, lists, `for` expressions, splats,
`var.` / `local.` / `module.` / `each.` / `count.` / `terraform.workspace` / `path.`, string templates and
heredocs, comparisons, arithmetic, `cond ? a : b`, and the functions Terraform code of this stack uses (`try`,
`coalesce`, `lookup`, `merge`, `concat`, `flatten`, `format`, `toset`, ...). Anything it cannot know before apply (a
resource attribute, a data source, an unknown function) raises Unresolved with the reason, so the importer can
report that one resource instead of guessing or failing as a whole.

Expressions are parsed once into a small tree (cached by text: a tree of 500 resources repeats the same ones)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any


class Unresolved(Exception):
    """An expression the importer cannot evaluate; the message says what is missing."""


class Unknown:
    """A value known only after apply (a resource's id, arn, ...): it can be counted (`length(aws_subnet.x[*].id)`)
    and passed around, but reading it as a number, string or condition raises Unresolved."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __bool__(self) -> bool:
        raise Unresolved(f"{self.what} is not known before apply")

    def __repr__(self) -> str:
        return f"(known after apply: {self.what})"


def known(v: Any) -> Any:
    if isinstance(v, Unknown):
        raise Unresolved(f"{v.what} is not known before apply")
    return v


class Scope:
    """Names an expression can reach: var, local, module, each, count, path, terraform (and for-loop names)."""

    def __init__(self, names: Mapping[str, Any], parent: Scope | None = None) -> None:
        self.names = names
        self.parent = parent

    def lookup(self, name: str) -> Any:
        s: Scope | None = self
        while s is not None:
            if name in s.names:
                return s.names[name]
            s = s.parent
        if name == "data":
            raise Unresolved("a data source is read at plan time")
        if name.startswith("aws_") or "_" in name:
            raise Unresolved(f"{name}.… (another resource's attribute) is not known before apply")
        raise Unresolved(f"{name!r} is not defined here")

    def child(self, names: Mapping[str, Any]) -> Scope:
        return Scope(names, self)


class Table:
    """A lazily evaluated name table (variables, locals, module outputs): each entry is computed on first use, so
    the order of definitions does not matter and an entry that cannot be evaluated only fails what uses it."""

    def __init__(self, kind: str, thunks: dict[str, Callable[[], Any]], raw: dict[str, Any] | None = None,
                 scope: Scope | None = None, address: str = "") -> None:
        self.kind = kind
        # the unevaluated definitions, the scope and module they are written in: to follow references
        self.raw = raw if raw is not None else {}
        self.scope = scope
        self.address = address
        self.thunks = thunks
        self.done: dict[str, Any] = {}
        self.failed: dict[str, str] = {}
        self.busy: set[str] = set()

    def __contains__(self, name: object) -> bool:
        return name in self.thunks

    def get(self, name: str) -> Any:
        if name in self.done:
            return self.done[name]
        if name in self.failed:
            raise Unresolved(self.failed[name])
        if name not in self.thunks:
            raise Unresolved(f"{self.kind}.{name} is not defined")
        if name in self.busy:
            raise Unresolved(f"{self.kind}.{name} refers to itself")
        self.busy.add(name)
        try:
            v = self.thunks[name]()
        except Unresolved as exc:
            self.failed[name] = f"{self.kind}.{name}: {exc}" if not str(exc).startswith(f"{self.kind}.{name}") \
                else str(exc)
            raise Unresolved(self.failed[name]) from None
        finally:
            self.busy.discard(name)
        self.done[name] = v
        return v


# ---------------------------------------------------------------------------------------------------- tokens

_PUNCT = ("...", "=>", "==", "!=", "<=", ">=", "&&", "||", "[*]", ".*")
_SINGLE = set("-+*/%<>!?:(),[].{}=")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUM = re.compile(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _scan_string(text: str, i: int) -> int:
    """End (exclusive) of the quoted string starting at text[i] == '"', templates with nested quotes included."""
    j, depth = i + 1, 0
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if depth == 0 and c == '"':
            return j + 1
        if c in "$%" and text.startswith("{", j + 1):
            depth += 1
            j += 2
            continue
        if depth and c == "{":
            depth += 1
        elif depth and c == "}":
            depth -= 1
        elif depth and c == '"':
            j = _scan_string(text, j)
            continue
        j += 1
    raise Unresolved("unterminated string")


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == "#" or text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if c == '"':
            j = _scan_string(text, i)
            out.append(("str", text[i:j]))
            i = j
            continue
        if c.isdigit():
            m = _NUM.match(text, i)
            assert m
            out.append(("num", m.group()))
            i = m.end()
            continue
        if c.isalpha() or c == "_":
            m = _NAME.match(text, i)
            assert m
            out.append(("name", m.group()))
            i = m.end()
            continue
        for p in _PUNCT:
            if text.startswith(p, i):
                out.append(("op", p))
                i += len(p)
                break
        else:
            if c in _SINGLE:
                out.append(("op", c))
                i += 1
            else:
                raise Unresolved(f"cannot read {text[i:i + 20]!r}")
    return out


# ---------------------------------------------------------------------------------------------------- parser

Node = tuple[Any, ...]


class _Parser:
    LEVELS: tuple[tuple[str, ...], ...] = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"),
                                           ("*", "/", "%"))

    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.toks[j][1] if j < len(self.toks) else ""

    def take(self, want: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.toks):
            raise Unresolved("unexpected end of expression")
        tok = self.toks[self.i]
        if want is not None and tok[1] != want:
            raise Unresolved(f"expected {want!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.expr()
        if self.i != len(self.toks):
            raise Unresolved(f"unexpected {self.peek()!r}")
        return node

    def expr(self) -> Node:
        cond = self.binary(0)
        if self.peek() == "?":
            self.take()
            a = self.expr()
            self.take(":")
            b = self.expr()
            return ("cond", cond, a, b)
        return cond

    def binary(self, level: int) -> Node:
        if level == len(self.LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in self.LEVELS[level] and self.toks[self.i][0] == "op":
            op = self.take()[1]
            right = self.binary(level + 1)
            left = ("bin", op, left, right)
        return left

    def unary(self) -> Node:
        if self.peek() == "!":
            self.take()
            return ("not", self.unary())
        if self.peek() == "-":
            self.take()
            return ("neg", self.unary())
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            p = self.peek()
            if p == "." and self.i + 1 < len(self.toks):
                self.take()
                kind, key = self.take()
                node = ("index", node, ("lit", int(key))) if kind == "num" else ("attr", node, key)
            elif p == "[":
                self.take()
                node = ("index", node, self.expr())
                self.take("]")
            elif p in ("[*]", ".*"):
                self.take()
                ops: list[tuple[str, Any]] = []
                while self.peek() == "." or (self.peek() == "[" and p == "[*]"):
                    if self.take()[1] == ".":
                        ops.append(("attr", self.take()[1]))
                    else:
                        ops.append(("index", self.expr()))
                        self.take("]")
                node = ("splat", node, tuple(ops))
            else:
                return node

    def _for(self, close: str) -> Node:
        self.take("for")
        first = self.take()[1]
        second = None
        if self.peek() == ",":
            self.take()
            second = self.take()[1]
        self.take("in")
        coll = self.expr()
        self.take(":")
        key_expr = None
        if close == "}":
            key_expr = self.expr()
            self.take("=>")
        val = self.expr()
        grouping = False
        if self.peek() == "...":
            self.take()
            grouping = True
        cond = None
        if self.peek() == "if":
            self.take()
            cond = self.expr()
        self.take(close)
        return ("for", first, second, coll, key_expr, val, cond, grouping)

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "num":
            return ("lit", float(text) if "." in text or "e" in text.lower() else int(text))
        if kind == "str":
            return template_node(text[1:-1])
        if text == "(":
            v = self.expr()
            self.take(")")
            return v
        if text == "[":
            if self.peek() == "for":
                return self._for("]")
            items = []
            while self.peek() != "]":
                items.append(self.expr())
                if self.peek() == ",":
                    self.take()
            self.take("]")
            return ("list", tuple(items))
        if text == "{":
            if self.peek() == "for":
                return self._for("}")
            pairs = []
            while self.peek() != "}":
                if self.toks[self.i][0] == "name" and self.peek(1) in ("=", ":"):
                    key: Node = ("lit", self.take()[1])
                else:
                    key = self.expr()
                self.take() if self.peek() in ("=", ":") else self.take("=")
                pairs.append((key, self.expr()))
                if self.peek() == ",":
                    self.take()
            self.take("}")
            return ("obj", tuple(pairs))
        if kind != "name":
            raise Unresolved(f"unexpected {text!r}")
        if text in ("true", "false"):
            return ("lit", text == "true")
        if text == "null":
            return ("lit", None)
        if self.peek() == "(":
            self.take("(")
            args = []
            expand = False
            while self.peek() != ")":
                args.append(self.expr())
                if self.peek() == "...":
                    self.take()
                    expand = True
                if self.peek() == ",":
                    self.take()
            self.take(")")
            return ("call", text, tuple(args), expand)
        return ("ref", text)


def _find_close(text: str, i: int) -> int:
    """Index of the '}' closing the interpolation that starts at text[i] (just after '${')."""
    depth = 1
    while i < len(text):
        c = text[i]
        if c == '"':
            i = _scan_string(text, i)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise Unresolved("unterminated ${")


_ESC = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unescape(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESC.get(m.group(1), m.group(0)), s).replace("$${", "${")


@lru_cache(maxsize=4096)
def template_node(text: str) -> Node:
    """A quoted string's inside: literal parts and ${...} interpolations; "${x}" alone keeps x's type."""
    parts: list[Any] = []
    i, lit = 0, []
    while i < len(text):
        if text.startswith("$${", i):
            lit.append("${")
            i += 3
            continue
        if text.startswith("%{", i):
            return ("fail", "template directives (%{ }) are not evaluated")
        if text.startswith("${", i):
            end = _find_close(text, i + 2)
            if lit:
                parts.append(_unescape("".join(lit)))
                lit = []
            inner = text[i + 2:end].strip().removeprefix("~").removesuffix("~")
            parts.append(parse(inner))
            i = end + 1
            continue
        lit.append(text[i])
        i += 1
    if lit:
        parts.append(_unescape("".join(lit)))
    if len(parts) == 1 and not isinstance(parts[0], str):
        return tuple(parts[0])
    return ("tmpl", tuple(parts))


@lru_cache(maxsize=8192)
def parse(text: str) -> Node:
    try:
        return _Parser(text).parse()
    except Unresolved as exc:
        return ("fail", f"cannot read {text[:60]!r}: {exc}")


# ---------------------------------------------------------------------------------------------------- evaluation

def _num(v: Any) -> float | int:
    known(v)
    if isinstance(v, bool):
        raise Unresolved(f"{v!r} is not a number")
    if isinstance(v, int | float):
        return v
    try:
        f = float(str(v))
    except ValueError:
        raise Unresolved(f"{v!r} is not a number") from None
    return int(f) if f.is_integer() and "." not in str(v) else f


def _tostr(v: Any) -> str:
    known(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if v is None:
        raise Unresolved("null in a string template")
    if isinstance(v, list | dict):
        raise Unresolved("a list or map in a string template")
    return str(v)


def _coalesce(*args: Any) -> Any:
    for a in args:
        if a is not None and a != "":
            return a
    raise Unresolved("coalesce(): no non-null argument")


def _lookup(m: Any, key: Any, *default: Any) -> Any:
    if isinstance(m, dict) and key in m:
        return m[key]
    if default:
        return default[0]
    raise Unresolved(f"lookup(): no key {key!r}")


def _merge(*ms: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in ms:
        if m is None:
            continue
        if not isinstance(m, dict):
            raise Unresolved("merge() of a non-map")
        out.update(m)
    return out


def _flatten(v: Any) -> list[Any]:
    out: list[Any] = []
    for x in v:
        out.extend(_flatten(x) if isinstance(x, list) else [x])
    return out


def _format(fmt: str, *args: Any) -> str:
    it = iter(args)

    def one(m: re.Match[str]) -> str:
        spec = m.group(0)
        if spec == "%%":
            return "%"
        v = next(it)
        conv = spec[-1]
        if conv == "v" or conv == "s":
            return _tostr(v)
        if conv == "d":
            return spec % int(_num(v))
        if conv == "q":
            return json.dumps(v)
        return spec % float(_num(v)) if conv in "fFeEgG" else _tostr(v)

    return re.sub(r"%%|%[-+# 0]*\d*(?:\.\d+)?[a-zA-Z]", one, fmt)


def _toset(v: Any) -> list[Any]:
    out: list[Any] = []
    for x in v:
        if x not in out:
            out.append(x)
    return sorted(out, key=lambda x: str(x))


def _tonumber(x: Any) -> Any:
    return None if x is None else _num(x)


def _element(xs: Any, i: Any) -> Any:
    if not xs:
        raise Unresolved("element() of an empty list")
    return xs[int(_num(i)) % len(xs)]


def _length(x: Any) -> int:
    if x is None:
        raise Unresolved("length(null)")
    return len(x)


FUNCS: dict[str, Callable[..., Any]] = {
    "length": _length, "tonumber": _tonumber, "tostring": lambda x: None if x is None else _tostr(x),
    "lower": lambda s: str(s).lower(), "upper": lambda s: str(s).upper(), "title": lambda s: str(s).title(),
    "min": lambda *a: min(_num(x) for x in a), "max": lambda *a: max(_num(x) for x in a),
    "tobool": lambda x: x if isinstance(x, bool) or x is None else str(x) == "true",
    "coalesce": _coalesce, "coalescelist": lambda *ls: next((x for x in ls if x), []),
    "lookup": _lookup, "merge": _merge, "concat": lambda *ls: [x for ll in ls for x in (ll or [])],
    "flatten": _flatten, "format": _format, "toset": _toset, "tolist": lambda x: list(x), "tomap": dict,
    "keys": lambda m: sorted(m), "values": lambda m: [m[k] for k in sorted(m)], "compact": lambda xs: [
        x for x in xs if x not in (None, "")], "distinct": lambda xs: [x for i, x in enumerate(xs) if x not in xs[:i]],
    "contains": lambda xs, v: v in xs, "join": lambda sep, xs: sep.join(_tostr(x) for x in xs),
    "split": lambda sep, s: str(s).split(sep), "replace": lambda s, a, b: str(s).replace(a, b),
    "trimspace": lambda s: str(s).strip(), "substr": lambda s, o, n: str(s)[int(o):int(o) + int(n)] if int(n) >= 0
    else str(s)[int(o):], "element": _element, "abs": lambda x: abs(_num(x)), "ceil": lambda x: -int(-_num(x) // 1),
    "floor": lambda x: int(_num(x) // 1), "zipmap": lambda ks, vs: dict(zip(ks, vs, strict=False)),
    "range": lambda *a: list(range(*(int(_num(x)) for x in a))), "sum": lambda xs: sum(_num(x) for x in xs),
    "one": lambda xs: (xs[0] if xs else None) if len(xs) <= 1 else (_ for _ in ()).throw(
        Unresolved("one() of a list longer than 1")),
    "anytrue": lambda xs: any(known(x) is True for x in xs), "alltrue": lambda xs: all(known(x) is True for x in xs),
    "basename": lambda p: str(p).rstrip("/").rsplit("/", 1)[-1], "dirname": lambda p: str(p).rsplit("/", 1)[0],
    "abspath": lambda p: str(p), "jsonencode": lambda v: json.dumps(v, separators=(",", ":")),
    "jsondecode": lambda s: json.loads(s),
    "startswith": lambda s, p: str(s).startswith(p), "endswith": lambda s, p: str(s).endswith(p),
    "trimprefix": lambda s, p: str(s).removeprefix(p), "trimsuffix": lambda s, p: str(s).removesuffix(p),
    "regex_replace": lambda s, a, b: re.sub(a, b, s), "formatlist": lambda f, *a: [
        _format(f, *xs) for xs in zip(*a, strict=False)], "slice": lambda xs, a, b: xs[int(a):int(b)],
    "reverse": lambda xs: list(reversed(xs)), "sort": lambda xs: sorted(xs), "nonsensitive": lambda x: x,
    "sensitive": lambda x: x, "type": lambda x: type(x).__name__, "tostring_": str, "signum": lambda x: (
        (_num(x) > 0) - (_num(x) < 0)), "chunklist": lambda xs, n: [xs[i:i + int(n)] for i in range(0, len(xs),
                                                                                                    int(n))],
}


def _get(v: Any, key: Any) -> Any:
    if isinstance(v, Unknown):
        return Unknown(f"{v.what}.{key}")
    key = known(key)
    if isinstance(v, Table):
        return v.get(str(key))
    if isinstance(v, dict):
        if key in v:
            return v[key]
        if str(key) in v:
            return v[str(key)]
        raise Unresolved(f"no attribute or key {key!r}")
    if isinstance(v, list):
        try:
            return v[int(_num(key))]
        except (IndexError, ValueError):
            raise Unresolved(f"index {key!r} out of range") from None
    if v is None:
        raise Unresolved(f"{key!r} of null")
    raise Unresolved(f"cannot take {key!r} of {type(v).__name__}")


def _apply(op: str, a: Any, b: Any) -> Any:
    known(a)
    known(b)
    if op == "==":
        return a == b or (isinstance(a, int | float) and not isinstance(a, bool) and isinstance(b, str)
                          and str(b) == _tostr(a))
    if op == "!=":
        return not _apply("==", a, b)
    if op == "&&":
        return bool(a) and bool(b)
    if op == "||":
        return bool(a) or bool(b)
    x, y = _num(a), _num(b)
    ops: dict[str, Callable[[], Any]] = {
        "<": lambda: x < y, ">": lambda: x > y, "<=": lambda: x <= y, ">=": lambda: x >= y, "+": lambda: x + y,
        "-": lambda: x - y, "*": lambda: x * y, "/": lambda: x / y, "%": lambda: x % y}
    try:
        r = ops[op]()
    except ZeroDivisionError:
        raise Unresolved("division by zero") from None
    if isinstance(r, float) and r.is_integer() and op in "+-*%":
        return int(r)
    return r


def evaluate(node: Node, scope: Scope) -> Any:
    tag = node[0]
    if tag == "lit":
        return node[1]
    if tag == "ref":
        v = scope.lookup(node[1])
        return v
    if tag == "attr":
        return _get(evaluate(node[1], scope), node[2])
    if tag == "index":
        return _get(evaluate(node[1], scope), evaluate(node[2], scope))
    if tag == "tmpl":
        return "".join(p if isinstance(p, str) else _tostr(evaluate(p, scope)) for p in node[1])
    if tag == "cond":
        return evaluate(node[2] if evaluate(node[1], scope) else node[3], scope)
    if tag == "bin":
        op = node[1]
        a = evaluate(node[2], scope)
        if op == "&&" and not a:
            return False
        if op == "||" and a is True:
            return True
        return _apply(op, a, evaluate(node[3], scope))
    if tag == "not":
        return not evaluate(node[1], scope)
    if tag == "neg":
        return -_num(evaluate(node[1], scope))
    if tag == "list":
        return [evaluate(x, scope) for x in node[1]]
    if tag == "obj":
        return {_tostr(evaluate(k, scope)) if k[0] != "lit" else k[1]: evaluate(v, scope) for k, v in node[1]}
    if tag == "call":
        return _call(node, scope)
    if tag == "splat":
        base = evaluate(node[1], scope)
        items = base if isinstance(base, list) else ([] if base is None else [base])
        out = []
        for item in items:
            v = item
            for op, arg in node[2]:
                v = _get(v, arg if op == "attr" else evaluate(arg, scope))
            out.append(v)
        return out
    if tag == "for":
        return _for(node, scope)
    if tag == "fail":
        raise Unresolved(node[1])
    raise Unresolved(f"cannot evaluate {tag}")


def _call(node: Node, scope: Scope) -> Any:
    name, args, expand = node[1], node[2], node[3]
    if name in ("try", "can"):
        for a in args:
            try:
                v = evaluate(a, scope)
            except Unresolved:
                if name == "can":
                    return False
                continue
            return True if name == "can" else v
        if name == "can":
            return False
        raise Unresolved("try(): no argument could be evaluated")
    if name not in FUNCS:
        raise Unresolved(f"function {name}() is not supported")
    vals = [evaluate(a, scope) for a in args]
    if expand and vals:
        vals = vals[:-1] + list(vals[-1])
    try:
        return FUNCS[name](*vals)
    except Unresolved:
        raise
    except Exception as exc:  # a Python error inside a function is Terraform's "invalid function argument"
        raise Unresolved(f"{name}(): {type(exc).__name__}") from None


def _items(coll: Any) -> list[tuple[Any, Any]]:
    if isinstance(coll, dict):
        return [(k, coll[k]) for k in sorted(coll)]
    if isinstance(coll, list):
        return list(enumerate(coll))
    if coll is None:
        raise Unresolved("for over null")
    raise Unresolved(f"for over {type(coll).__name__}")


def _for(node: Node, scope: Scope) -> Any:
    _, first, second, coll_node, key_node, val_node, cond, grouping = node
    coll = evaluate(coll_node, scope)
    is_obj = key_node is not None
    out_list: list[Any] = []
    out_obj: dict[str, Any] = {}
    for k, v in _items(coll):
        names = {first: k, second: v} if second else {first: v}
        inner = scope.child(names)
        if cond is not None and not evaluate(cond, inner):
            continue
        if is_obj:
            key = _tostr(evaluate(key_node, inner))
            val = evaluate(val_node, inner)
            if grouping:
                out_obj.setdefault(key, []).append(val)
            else:
                out_obj[key] = val
        else:
            out_list.append(evaluate(val_node, inner))
    return out_obj if is_obj else out_list


_HEREDOC = re.compile(r"^<<(-?)(\w+)\n(.*?)\n?\s*\2$", re.DOTALL)


def evaluate_expr(text: str, scope: Scope) -> Any:
    return evaluate(parse(text), scope)


def _unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def value(raw: Any, scope: Scope) -> Any:
    """A python-hcl2 value (quoted strings, "${expr}" strings, heredocs, lists, dicts, numbers) evaluated."""
    if isinstance(raw, str):
        if raw.startswith("${") and raw.endswith("}"):
            node = template_node(raw)
            return evaluate(node, scope)
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            inner = raw[1:-1]
            m = _HEREDOC.match(inner)
            if m:
                body = m.group(3)
                if m.group(1):
                    lines = body.split("\n")
                    pad = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
                    body = "\n".join(x[pad:] for x in lines)
                return evaluate(template_node(body.replace('"', '\\"')), scope)
            return evaluate(template_node(inner), scope)
        return raw
    if isinstance(raw, list):
        return [value(v, scope) for v in raw]
    if isinstance(raw, dict):
        return {_unquote(k): value(v, scope) for k, v in raw.items() if not k.startswith("__")}
    return raw
