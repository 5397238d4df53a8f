"""Read a Terraform tree and expand it into resource instances, as `terraform plan` would without a cloud:
variables (defaults, --var-files, module arguments), locals and module outputs (evaluated lazily, in any order),
`module` blocks with local sources, modules that `terraform init` fetched (.terraform/modules/modules.json) or that
--download-modules put in a cache, and `count` / `for_each` on resources and modules.

Every `resource` block ends as one or more `Instance`s: created instances (with their count index or for_each key),
or a single not-created / unresolved record saying why, with file:line. A module whose source cannot be read is
recorded as one unresolved entry, so nothing is dropped silently."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from stackcost.errors import StackcostError
from stackcost.terraform import fastparse
from stackcost.terraform.expr import Scope, Table, Unknown, Unresolved, evaluate, known, parse, template_node, value


class TerraformError(StackcostError, ValueError):
    """A Terraform directory, plan or var-file that cannot be read (one line each)."""


_REF = re.compile(r"\b(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)")


@dataclass
class Instance:
    """One resource instance (or the one record of a block that creates none / cannot be expanded)."""

    type: str
    name: str
    address: str
    where: str  # file:line
    module: str  # module address ("" for the root)
    body: dict[str, Any]  # raw python-hcl2 values, or a plan's values
    scope: Scope | None  # None for a plan's values (already evaluated)
    status: str = ""  # set by the mapper: priced, free, unsupported, not-created, unresolved
    reason: str = ""
    config_refs: dict[str, list[str]] = field(default_factory=dict)  # a plan's configuration references

    def has(self, key: str) -> bool:
        return key in self.body

    def attr(self, key: str, default: Any = None) -> Any:
        """The evaluated attribute; null (absent or `null`) means the provider's default. Raises Unresolved."""
        if key not in self.body:
            return default
        raw = self.body[key]
        v = raw if self.scope is None else known(value(raw, self.scope))
        return default if v is None else v

    def blocks(self, key: str) -> list[dict[str, Any]]:
        """Nested blocks, `dynamic` ones expanded. Raises Unresolved."""
        raw = self.body.get(key, [])
        out: list[dict[str, Any]] = []
        if self.scope is None:
            items = raw if isinstance(raw, list) else [raw]
            return [b for b in items if isinstance(b, dict)]
        for b in raw if isinstance(raw, list) else [raw]:
            if isinstance(b, dict):
                out.append(value(b, self.scope))
        for dyn in self.body.get("dynamic", []):
            for label, spec in dyn.items():
                if label.strip('"') != key:
                    continue
                coll = value(spec.get("for_each", "${[]}"), self.scope)
                it_name = value(spec["iterator"], Scope({})) if "iterator" in spec else key
                pairs = list(coll.items()) if isinstance(coll, dict) else list(enumerate(coll or []))
                for k, v in pairs:
                    inner = self.scope.child({str(it_name).strip('"'): {"key": k, "value": v}})
                    for content in spec.get("content", []):
                        out.append(value(content, inner))
        return out

    def refs(self, key: str) -> list[tuple[str, str, str]]:
        """The resources (module, type, name) an attribute's expression refers to: directly, or through locals,
        module variables and module outputs (a task definition in another module, passed through a local)."""
        if self.scope is None:
            return [(self.module, m.group(1), m.group(2)) for r in self.config_refs.get(key, [])
                    for m in [_REF.match(r)] if m]
        return sorted(trace(str(self.body.get(key, "")), self.scope, self.module, 0))


_LOCAL = re.compile(r"\blocal\.([A-Za-z0-9_-]+)")
_VAR = re.compile(r"\bvar\.([A-Za-z0-9_-]+)")
_MODULE = re.compile(r"\bmodule\.([A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.([A-Za-z0-9_-]+)")


def trace(text: str, scope: Scope, module: str, depth: int) -> set[tuple[str, str, str]]:
    out = {(module, m.group(1), m.group(2)) for m in _REF.finditer(text)}
    if depth > 10:
        return out

    def table(name: str, s: Scope) -> Any:
        try:
            return s.lookup(name)
        except Unresolved:
            return None

    if "local." in text:
        loc = table("local", scope)
        if isinstance(loc, Table):
            for name in set(_LOCAL.findall(text)):
                if name in loc.raw:
                    out |= trace(str(loc.raw[name]), scope, module, depth + 1)
    if "var." in text:
        var = table("var", scope)
        if isinstance(var, Table) and var.scope is not None:
            for name in set(_VAR.findall(text)):
                if name in var.raw:
                    out |= trace(str(var.raw[name]), var.scope, var.address, depth + 1)
    if "module." in text:
        mods = table("module", scope)
        for name, output in set(_MODULE.findall(text)):
            m = mods.get(name) if isinstance(mods, dict) else None
            tables = list(m.values()) if isinstance(m, dict) else m if isinstance(m, list) else [m]
            for t in tables:
                if isinstance(t, Table) and t.scope is not None and output in t.raw:
                    out |= trace(str(t.raw[output]), t.scope, t.address, depth + 1)
    return out


@dataclass
class Tree:
    instances: list[Instance] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    providers: list[tuple[str, dict[str, Any], Scope, str]] = field(default_factory=list)  # root aws providers
    root_scope: Scope | None = None
    files: list[Path] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)  # a plan's input variables


_BLOCK = re.compile(r'^[ \t]*(resource|module|locals|provider|variable)\b[ \t]*(?:"([^"]+)")?[ \t]*(?:"([^"]+)")?',
                    re.MULTILINE)
_PARSED: dict[tuple[str, float], tuple[dict[str, Any], dict[tuple[str, ...], int]]] = {}


def _rel(path: Path) -> str:
    return _rel_cached(str(path), os.getcwd())


@lru_cache(maxsize=4096)
def _rel_cached(path: str, cwd: str) -> str:
    """A file as the user would type it (relative to the working directory when inside it); cached: every
    resource of a file asks for it."""
    try:
        return str(Path(path).resolve().relative_to(Path(cwd).resolve()))
    except ValueError:
        return path


def parse_file(path: Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    """python-hcl2's dict of one file, and the line of each block (python-hcl2 does not report lines)."""
    import hcl2
    from hcl2.utils import SerializationOptions

    try:
        key = (str(path.resolve()), path.stat().st_mtime)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TerraformError(f"{path}: {getattr(exc, 'strerror', None) or exc}") from None
    if key in _PARSED:
        return _PARSED[key]
    try:
        if os.environ.get("STACKCOST_HCL2") == "1":  # for comparing the two readers
            raise fastparse.Syntax("python-hcl2 asked for")
        data: dict[str, Any] = fastparse.loads(text)
    except fastparse.Syntax:
        try:
            data = hcl2.loads(text, serialization_options=SerializationOptions(with_meta=True, with_comments=False))
        except Exception as exc:  # python-hcl2 raises lark errors of several kinds
            raise TerraformError(f"{path}: not valid HCL ({str(exc).splitlines()[0][:120]})") from None
    lines: dict[tuple[str, ...], int] = {}
    for m in _BLOCK.finditer(text):
        lines.setdefault(tuple(x for x in m.groups() if x), text.count("\n", 0, m.start()) + 1)
    _PARSED[key] = (data, lines)
    return data, lines


def _unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def read_var_file(path: Path) -> dict[str, Any]:
    if path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise TerraformError(f"{path}: not a JSON var-file ({exc})") from None
        if not isinstance(data, dict):
            raise TerraformError(f"{path}: a JSON var-file holds an object")
        return data
    data, _ = parse_file(path)
    out = {}
    for k, v in data.items():
        if k.startswith("__"):
            continue
        try:
            out[_unquote(k)] = value(v, Scope({}))
        except Unresolved as exc:
            raise TerraformError(f"{path}: {k}: {exc}") from None
    return out


# ---------------------------------------------------------------------------------------------------- modules

ModuleFinder = Callable[[str, str | None, str, str], "Path | str"]  # (source, version, key, where) -> dir | reason


class _Module:
    """One module instance: its scope and, once walked, its outputs."""

    def __init__(self, address: str, directory: Path, key: str) -> None:
        self.address = address
        self.directory = directory
        self.key = key  # modules.json key ("" root, "ecs", "ecs.vpc")
        self.outputs = Table("output", {})
        self.scope = Scope({})


class Walker:
    def __init__(self, root: Path, inputs: dict[str, Any], workspace: str, finder: ModuleFinder | None) -> None:
        self.root = root
        self.inputs = inputs
        self.workspace = workspace
        self.finder = finder
        self.tree = Tree()
        self.manifest = _manifest(root)
        self.pending: list[tuple[_Module, list[tuple[Path, dict[str, Any], dict[tuple[str, ...], int]]]]] = []

    def run(self) -> Tree:
        root = _Module("", self.root, "")
        self._module(root, None, 0)
        for mod, files in self.pending:  # resources last: module outputs they use all exist by now
            self._resources(mod, files)
        return self.tree

    def _module(self, mod: _Module, args: dict[str, Callable[[], Any]] | None, depth: int,
                call: tuple[dict[str, Any], Scope, str] | None = None) -> None:
        files = []
        for p in sorted(mod.directory.glob("*.tf")):
            data, lines = parse_file(p)
            files.append((p, data, lines))
            self.tree.files.append(p)
        if not files:
            raise TerraformError(f"{mod.directory}: no .tf files")
        thunks: dict[str, Callable[[], Any]] = {}
        scope_names: dict[str, Any] = {}
        modules: dict[str, Any] = {}
        scope = Scope(scope_names)
        mod.scope = scope
        for path, data, lines in files:
            for block in data.get("variable", []):
                for label, body in block.items():
                    if label.startswith("__"):
                        continue
                    name = _unquote(label)
                    thunks[name] = self._var_thunk(name, body, args, mod, f"{_rel(path)}:"
                                                   f"{lines.get(('variable', name), '?')}")
        local_thunks: dict[str, Callable[[], Any]] = {}
        local_raw: dict[str, Any] = {}
        for _p, data, _l in files:
            for block in data.get("locals", []):
                for key, raw in block.items():
                    if not key.startswith("__"):
                        local_thunks[key] = partial(value, raw, scope)
                        local_raw[key] = raw
        out_thunks: dict[str, Callable[[], Any]] = {}
        for _p, data, _l in files:
            for block in data.get("output", []):
                for label, body in block.items():
                    if not label.startswith("__") and isinstance(body, dict):
                        out_thunks[_unquote(label)] = partial(value, body.get("value"), scope)
                        mod.outputs.raw[_unquote(label)] = body.get("value")
        mod.outputs.thunks.update(out_thunks)
        mod.outputs.scope, mod.outputs.address = scope, mod.address
        data_sources: dict[str, Table] = {}
        for _p, data, _l in files:
            for kind in ("resource", "data"):
                for block in data.get(kind, []):
                    for rtype, named in block.items():
                        if rtype.startswith("__") or not isinstance(named, dict):
                            continue
                        t = _unquote(rtype)
                        holder = scope_names if kind == "resource" else data_sources
                        table = holder.setdefault(t, Table(t, {}))
                        for rname, body in named.items():
                            if not rname.startswith("__") and isinstance(body, dict):
                                n = _unquote(rname)
                                table.thunks[n] = partial(_shape, t, n, body, scope)
        scope_names["data"] = data_sources
        scope_names.update({
            "var": Table("var", thunks, *(call or ({}, None, ""))), "local": Table("local", local_thunks, local_raw),
            "module": modules,
            "path": {"module": str(mod.directory), "root": str(self.root), "cwd": str(Path.cwd())},
            "terraform": {"workspace": self.workspace},
        })
        if depth == 0:
            self.tree.root_scope = scope
            for path, data, lines in files:
                for block in data.get("provider", []):
                    for label, body in block.items():
                        if _unquote(label) == "aws" and isinstance(body, dict):
                            self.tree.providers.append((f"{_rel(path)}:{lines.get(('provider', 'aws'), '?')}", body,
                                                        scope, mod.address))
        for path, data, lines in files:
            for block in data.get("module", []):
                for label, body in block.items():
                    if label.startswith("__") or not isinstance(body, dict):
                        continue
                    name = _unquote(label)
                    where = f"{_rel(path)}:{lines.get(('module', name), '?')}"
                    self._call(mod, scope, modules, name, body, where, depth)
        self.pending.append((mod, files))

    def _var_thunk(self, name: str, body: dict[str, Any], args: dict[str, Callable[[], Any]] | None,
                   mod: _Module, where: str) -> Callable[[], Any]:
        def thunk() -> Any:
            v = raw_value()
            if "type" in body and isinstance(body["type"], str) and body["type"].startswith("${"):
                return typed(template_node(body["type"]), v)
            return v

        def raw_value() -> Any:
            if args is None and name in self.inputs:
                return self.inputs[name]
            if args is not None and name in args:
                v = args[name]()
                # a null argument keeps the variable null (so the provider's default applies), unless the
                # variable says `nullable = false`: then its default is used, as Terraform does
                if v is not None or body.get("nullable") is not False or "default" not in body:
                    return v
            if "default" in body:
                return value(body["default"], Scope({}))
            raise Unresolved(f"var.{name} has no value (declared at {where}; give it in a --var-file)")
        return thunk

    def _call(self, parent: _Module, scope: Scope, modules: dict[str, Any], name: str, body: dict[str, Any],
              where: str, depth: int) -> None:
        address = f"{parent.address}.module.{name}" if parent.address else f"module.{name}"
        key = f"{parent.key}.{name}" if parent.key else name
        if depth >= 12:
            self._unresolved_module(address, where, "modules nested deeper than 12 levels")
            return
        try:
            source = str(value(body.get("source", '""'), scope))
            version = value(body["version"], scope) if "version" in body else None
        except Unresolved as exc:
            self._unresolved_module(address, where, f"source: {exc}")
            return
        target = self._resolve(parent, source, None if version is None else str(version), key, where)
        if isinstance(target, str):
            self._unresolved_module(address, where, target)
            modules[name] = _Failed(f"module.{name}: {target}")
            return
        instances: list[tuple[str, dict[str, Any]]] = []
        try:
            if "count" in body:
                n = value(body["count"], scope)
                instances = [(f"[{i}]", {"count": {"index": i}}) for i in range(int(n))]
            elif "for_each" in body:
                coll = value(body["for_each"], scope)
                items = coll.items() if isinstance(coll, dict) else [(x, x) for x in coll]
                instances = [(f'["{k}"]', {"each": {"key": k, "value": v}}) for k, v in items]
            else:
                instances = [("", {})]
        except (Unresolved, TypeError, ValueError) as exc:
            self._unresolved_module(address, where, f"count/for_each: {exc}")
            modules[name] = _Failed(f"module.{name}: count/for_each unresolved")
            return
        if not instances:
            self.tree.instances.append(Instance("module", name, address, where, parent.address, {}, None,
                                                "not-created", "count = 0 / for_each is empty"))
        refs: dict[str, Any] = {}
        for suffix, extra in instances:
            child = _Module(address + suffix, target, key)
            call_scope = scope.child(extra) if extra else scope
            args: dict[str, Callable[[], Any]] = {k: partial(value, raw, call_scope) for k, raw in body.items()
                    if not k.startswith("__") and k not in ("source", "version", "providers", "depends_on",
                                                            "count", "for_each")}
            raw_args = {k: raw for k, raw in body.items() if k in args}
            self._module(child, args, depth + 1, (raw_args, call_scope, parent.address))
            refs[suffix] = child.outputs
        if instances and instances[0][0] == "":
            modules[name] = refs[""]
        elif instances and instances[0][0].startswith('["'):
            modules[name] = {s[2:-2]: t for s, t in refs.items()}
        else:
            modules[name] = [refs[s] for s, _ in instances]

    def _unresolved_module(self, address: str, where: str, reason: str) -> None:
        self.tree.instances.append(Instance("module", address.rsplit(".", 1)[-1], address, where,
                                            address.rsplit(".module.", 1)[0] if ".module." in address else "",
                                            {}, None, "unresolved", reason))

    def _resolve(self, parent: _Module, source: str, version: str | None, key: str, where: str) -> Path | str:
        if source.startswith(("./", "../")) or source in (".", ".."):
            target = (parent.directory / source).resolve()
            return target if target.is_dir() else f"local source {source!r} is not a directory"
        if key in self.manifest:
            target = self.manifest[key]
            if target.is_dir():
                return target
        if self.finder is not None:
            return self.finder(source, version, key, where)
        return (f"remote source {source!r} is not fetched (run `terraform init`, whose .terraform/modules are "
                "followed, or use --download-modules)")

    def _resources(self, mod: _Module, files: list[tuple[Path, dict[str, Any], dict[tuple[str, ...], int]]]) -> None:
        scope = mod.scope
        prefix = f"{mod.address}." if mod.address else ""
        for path, data, lines in files:
            for block in data.get("resource", []):
                for rtype, named in block.items():
                    if rtype.startswith("__") or not isinstance(named, dict):
                        continue
                    for rname, body in named.items():
                        if rname.startswith("__"):
                            continue
                        t, n = _unquote(rtype), _unquote(rname)
                        where = f"{_rel(path)}:{lines.get(('resource', t, n), '?')}"
                        base = f"{prefix}{t}.{n}"
                        self._expand(t, n, base, where, mod.address, body, scope)

    def _expand(self, t: str, n: str, base: str, where: str, module: str, body: dict[str, Any], scope: Scope) -> None:
        add = self.tree.instances.append
        try:
            if "count" in body:
                c = value(body["count"], scope)
                if c is None or isinstance(c, bool):
                    raise Unresolved(f"count = {c!r}")
                count = int(c)
                if count == 0:
                    add(Instance(t, n, base, where, module, body, scope, "not-created", "count = 0"))
                for i in range(count):
                    add(Instance(t, n, f"{base}[{i}]", where, module, body, scope.child({"count": {"index": i}})))
                return
            if "for_each" in body:
                coll = value(body["for_each"], scope)
                if coll is None:
                    raise Unresolved("for_each = null")
                items = sorted(coll.items()) if isinstance(coll, dict) else [(x, x) for x in coll]
                if not items:
                    add(Instance(t, n, base, where, module, body, scope, "not-created", "for_each is empty"))
                for k, v in items:
                    add(Instance(t, n, f'{base}["{k}"]', where, module, body,
                                 scope.child({"each": {"key": k, "value": v}})))
                return
        except (Unresolved, TypeError, ValueError) as exc:
            add(Instance(t, n, base, where, module, body, scope, "unresolved",
                         f"{'count' if 'count' in body else 'for_each'}: {exc}"))
            return
        add(Instance(t, n, base, where, module, body, scope))


def typed(node: Any, v: Any) -> Any:
    """A variable's value with its type constraint applied as Terraform does: object attributes the value lacks
    become null, or the default of `optional(type, default)`."""
    if v is None or not isinstance(node, tuple) or node[0] != "call":
        return v
    fname, args = node[1], node[2]
    if fname in ("map",) and args and isinstance(v, dict):
        return {k: typed(args[0], x) for k, x in v.items()}
    if fname in ("list", "set", "tuple") and args and isinstance(v, list):
        return [typed(args[0], x) for x in v]
    if fname == "object" and args and args[0][0] == "obj" and isinstance(v, dict):
        out = dict(v)
        for key_node, tnode in args[0][1]:
            key = key_node[1] if key_node[0] == "lit" else None
            if key is None:
                continue
            inner, default = tnode, None
            if tnode[0] == "call" and tnode[1] == "optional":
                inner = tnode[2][0]
                if len(tnode[2]) > 1:
                    try:
                        default = evaluate(tnode[2][1], Scope({}))
                    except Unresolved:
                        default = None
            if out.get(key) is None:
                out[key] = default
            else:
                out[key] = typed(inner, out[key])
        return out
    return v


def _shape(t: str, n: str, body: dict[str, Any], scope: Scope) -> Any:
    """What `type.name` evaluates to before apply: unknown attributes, but as many instances as count/for_each
    make, so `length(aws_subnet.public)` and `aws_subnet.public[*].id` have the right length."""
    if "count" in body:
        return [Unknown(f"{t}.{n}[{i}]") for i in range(int(known(value(body["count"], scope))))]
    if "for_each" in body:
        coll = value(body["for_each"], scope)
        keys = coll.keys() if isinstance(coll, dict) else coll
        return {str(k): Unknown(f'{t}.{n}["{k}"]') for k in keys}
    return Unknown(f"{t}.{n}")


class _Failed(Table):
    """A module whose outputs cannot be read: any use says why."""

    def __init__(self, reason: str) -> None:
        super().__init__("module", {})
        self.reason = reason

    def get(self, name: str) -> Any:
        raise Unresolved(self.reason)


def _manifest(root: Path) -> dict[str, Path]:
    """`terraform init`'s record of the modules it fetched: key -> directory."""
    path = root / ".terraform" / "modules" / "modules.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TerraformError(f"{path}: not readable JSON ({exc})") from None
    out: dict[str, Path] = {}
    for m in data.get("Modules", []) if isinstance(data, dict) else []:
        if isinstance(m, dict) and m.get("Key") and isinstance(m.get("Dir"), str):
            out[str(m["Key"])] = (root / m["Dir"]).resolve()
    return out


def walk(directory: Path, inputs: dict[str, Any], workspace: str = "default",
         finder: ModuleFinder | None = None) -> Tree:
    return Walker(directory.resolve(), inputs, workspace, finder).run()


# re-exported for the plan reader and tests
__all__ = [
    "Instance",
    "TerraformError",
    "Tree",
    "evaluate",
    "parse",
    "parse_file",
    "read_var_file",
    "template_node",
    "walk",
]
