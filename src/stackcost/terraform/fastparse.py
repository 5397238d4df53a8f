"""A fast reader of HCL's block structure, in the shape python-hcl2 gives (with_meta): blocks as lists of dicts,
labels quoted, quoted strings kept with their quotes, other expressions as "${...}" text for expr.py to evaluate.

python-hcl2 builds a full parse tree of every expression and takes ~0.2 s per 10 kB; the importer evaluates
expressions itself, so only the blocks and the extent of each attribute are needed here. Anything this reader
does not recognise raises _Syntax, and the caller falls back to python-hcl2 (which also reports real errors)."""

from __future__ import annotations

import re
from typing import Any

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\Z")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n")


class Syntax(Exception):
    pass


class _Reader:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.n = len(text)

    def skip(self, newlines: bool = True) -> None:
        s, n = self.s, self.n
        while self.i < n:
            c = s[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.i += 1
            elif c == "#" or s.startswith("//", self.i):
                end = s.find("\n", self.i)
                self.i = n if end < 0 else end
            elif s.startswith("/*", self.i):
                end = s.find("*/", self.i + 2)
                if end < 0:
                    raise Syntax("unterminated comment")
                self.i = end + 2
            else:
                return

    def string_end(self, i: int) -> int:
        """End (exclusive) of the quoted string at s[i] == '"', nested template quotes included."""
        s, n = self.s, self.n
        j, depth = i + 1, 0
        while j < n:
            c = s[j]
            if c == "\\":
                j += 2
                continue
            if c == "\n" and depth == 0:
                raise Syntax("newline in a string")
            if depth == 0 and c == '"':
                return j + 1
            if s.startswith(("$${", "%%{"), j):
                j += 3
                continue
            if c in "$%" and s.startswith("{", j + 1):
                depth += 1
                j += 2
                continue
            if depth:
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                elif c == '"':
                    j = self.string_end(j)
                    continue
            j += 1
        raise Syntax("unterminated string")

    def expr_end(self) -> int:
        """End of the expression starting at self.i: the newline (or '}' of the enclosing block) at depth 0."""
        s, n = self.s, self.n
        j, depth = self.i, 0
        while j < n:
            c = s[j]
            if c == '"':
                j = self.string_end(j)
                continue
            if c == "<" and s.startswith("<<", j):
                m = _HEREDOC.match(s, j)
                if m:
                    marker = m.group(2)
                    close = re.compile(rf"^[ \t]*{marker}[ \t]*$", re.MULTILINE).search(s, m.end())
                    if not close:
                        raise Syntax("unterminated heredoc")
                    j = close.end()
                    continue
            if c == "#" or s.startswith("//", j):
                if depth == 0:
                    return j
                end = s.find("\n", j)
                j = n if end < 0 else end
                continue
            if s.startswith("/*", j):
                end = s.find("*/", j + 2)
                if end < 0:
                    raise Syntax("unterminated comment")
                j = end + 2
                continue
            if c in "([{":
                depth += 1
            elif c in ")]}":
                if depth == 0:
                    return j
                depth -= 1
            elif c == "\n" and depth == 0:
                return j
            j += 1
        if depth:
            raise Syntax("unbalanced brackets")
        return j

    def body(self, closing: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        s = self.s
        while True:
            self.skip()
            if self.i >= self.n:
                if closing:
                    raise Syntax("unterminated block")
                return out
            if s[self.i] == "}":
                if not closing:
                    raise Syntax("unexpected }")
                self.i += 1
                return out
            m = _IDENT.match(s, self.i)
            if not m:
                raise Syntax(f"unexpected {s[self.i:self.i + 10]!r}")
            name = m.group()
            self.i = m.end()
            self.skip(newlines=False)
            if self.i < self.n and s[self.i] == "=" and not s.startswith("==", self.i):
                self.i += 1
                self.skip(newlines=False)
                start = self.i
                end = self.expr_end()
                text = s[start:end].strip()
                if not text:
                    raise Syntax(f"{name}: no value")
                self.i = end
                if name in out:
                    raise Syntax(f"{name} defined twice (or as a block too)")
                out[name] = _value(text)
                continue
            labels = []
            while self.i < self.n and (s[self.i] == '"' or _IDENT.match(s, self.i)):
                if s[self.i] == '"':
                    end = self.string_end(self.i)
                    labels.append(s[self.i:end])
                    self.i = end
                else:
                    lm = _IDENT.match(s, self.i)
                    assert lm
                    labels.append(f'"{lm.group()}"')
                    self.i = lm.end()
                self.skip(newlines=False)
            if self.i >= self.n or s[self.i] != "{":
                raise Syntax(f"{name}: expected {{")
            self.i += 1
            inner = self.body(closing=True)
            inner["__is_block__"] = True
            node: Any = inner
            for label in reversed(labels):
                node = {label: node}
            blocks = out.setdefault(name, [])
            if not isinstance(blocks, list):
                raise Syntax(f"{name} is both an attribute and a block")
            blocks.append(node)


def _value(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if _NUMBER.match(text):
        return float(text) if any(c in text for c in ".eE") else int(text)
    if text.startswith('"') and text.endswith('"'):
        r = _Reader(text)
        try:
            if r.string_end(0) == len(text):
                return text
        except Syntax:
            pass
    m = _HEREDOC.match(text)
    if m and text.rstrip().endswith(m.group(2)):
        return '"' + text + '"'
    return "${" + text + "}"


def loads(text: str) -> dict[str, Any]:
    return _Reader(text).body(closing=False)
