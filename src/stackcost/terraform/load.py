"""Read a Terraform directory (every *.tf) and walk it: variables from defaults and --var-files, locals, and
`module` blocks with local `source` paths (their inputs become the module's variables). Collects the resources
with their attributes still unevaluated, each with the file and line it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stackcost.errors import StackcostError
from stackcost.terraform.expr import Unresolved, value


class TerraformError(StackcostError, ValueError):
    """A Terraform directory or var-file that cannot be read (one line each)."""


@dataclass
class Resource:
    type: str
    name: str
    body: dict[str, Any]  # raw python-hcl2 values
    scope: dict[str, dict[str, Any]]  # var / local values of its module
    where: str  # file:line
    module: str  # module path, "" for the root


@dataclass
class Walk:
    resources: list[Resource] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_BLOCK = re.compile(r'^\s*(resource|module|locals)\b\s*(?:"([^"]+)")?\s*(?:"([^"]+)")?', re.MULTILINE)


def _lines(path: Path) -> dict[tuple[str, ...], int]:
    """Line of each resource/module block (python-hcl2 does not report them): for file:line warnings."""
    text = path.read_text(encoding="utf-8", errors="replace")
    out: dict[tuple[str, ...], int] = {}
    for m in _BLOCK.finditer(text):
        key = tuple(x for x in m.groups() if x)
        out.setdefault(key, text.count("\n", 0, m.start()) + 1)
    return out


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class Unknown:
    """A module input that cannot be known before apply (e.g. another module's output): only an error if used."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _parse(path: Path) -> dict[str, Any]:
    import hcl2
    from hcl2.utils import SerializationOptions

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TerraformError(f"{path}: {exc.strerror or exc}") from None
    try:
        data: dict[str, Any] = hcl2.loads(text, serialization_options=SerializationOptions(
            with_meta=True, with_comments=False))
    except Exception as exc:  # python-hcl2 raises lark errors of several kinds
        raise TerraformError(f"{path}: not valid HCL ({str(exc).splitlines()[0][:120]})") from None
    return data


def _unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def _blocks(files: list[tuple[Path, dict[str, Any]]], kind: str) -> list[tuple[Path, str, dict[str, Any]]]:
    """(file, label, body) for one-label blocks (variable, module, output) across files."""
    out = []
    for path, data in files:
        for block in data.get(kind, []):
            for label, body in block.items():
                if not label.startswith("__"):
                    out.append((path, _unquote(label), body))
    return out


def read_var_file(path: Path) -> dict[str, Any]:
    data = _parse(path)
    return {k: value(v, {}) for k, v in data.items() if not k.startswith("__")}


def walk(directory: Path, inputs: dict[str, Any], module_path: str = "", depth: int = 0,
         result: Walk | None = None) -> Walk:
    result = result or Walk()
    if depth > 8:
        result.warnings.append(f"{directory}: modules nested deeper than 8 levels; not followed")
        return result
    files = [(p, _parse(p)) for p in sorted(directory.glob("*.tf"))]
    if not files:
        raise TerraformError(f"{directory}: no .tf files")
    lines = {p: _lines(p) for p, _ in files}
    variables: dict[str, Any] = {}
    for _path, name, body in _blocks(files, "variable"):
        if name in inputs:
            variables[name] = inputs[name]
        elif "default" in body:
            variables[name] = value(body["default"], {})
    scope: dict[str, dict[str, Any]] = {"var": variables, "local": {}}
    for path, data in files:
        for block in data.get("locals", []):
            for key, raw in block.items():
                if key.startswith("__"):
                    continue
                try:
                    scope["local"][key] = value(raw, scope)
                except Unresolved as exc:
                    result.warnings.append(f"{_rel(path)}:{lines[path].get(('locals',), '?')}: local.{key}: {exc}")
    for path, data in files:
        for block in data.get("resource", []):
            for rtype, named in block.items():
                if rtype.startswith("__"):
                    continue
                for rname, body in named.items():
                    if rname.startswith("__"):
                        continue
                    line = lines[path].get(("resource", _unquote(rtype), _unquote(rname)), "?")
                    result.resources.append(Resource(_unquote(rtype), _unquote(rname), body, scope,
                                                     f"{_rel(path)}:{line}", module_path))
    for path, name, body in _blocks(files, "module"):
        where = f"{_rel(path)}:{lines[path].get(('module', name), '?')}"
        try:
            source = value(body.get("source", '""'), scope)
        except Unresolved as exc:
            result.warnings.append(f"{where}: module {name}: source {exc}")
            continue
        target = (directory / str(source)).resolve()
        if not str(source).startswith((".", "/")) or not target.is_dir():
            result.warnings.append(f"{where}: module {name}: source {source!r} is not a local directory; not "
                                   "followed")
            continue
        args: dict[str, Any] = {}
        for key, raw in body.items():
            if key.startswith("__") or key in ("source", "version", "providers", "depends_on", "count", "for_each"):
                continue
            try:
                args[key] = value(raw, scope)
            except Unresolved as exc:  # reported only if the module uses it for something stackcost reads
                args[key] = Unknown(f"{key} comes from {where} ({exc})")
        walk(target, args, f"{module_path}.{name}" if module_path else name, depth + 1, result)
    return result
