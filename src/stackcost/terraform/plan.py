"""A Terraform plan as JSON (`terraform show -json plan.out`): the most faithful input, since Terraform has already
evaluated every expression and expanded every count / for_each. `planned_values` gives each instance (root and
child modules); `configuration` gives the constant expressions of what the plan leaves unknown, the references
between resources, the provider's region, and the resource blocks that create no instance (count = 0)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from stackcost.terraform.expr import Scope
from stackcost.terraform.load import Instance, TerraformError, Tree

_INDEX = re.compile(r"\[[^\]]*\]")


def _strip(address: str) -> str:
    return _INDEX.sub("", address)


def _config_resources(module: dict[str, Any], prefix: str, out: dict[str, dict[str, Any]]) -> None:
    for r in module.get("resources", []) or []:
        if isinstance(r, dict) and r.get("mode", "managed") == "managed" and "address" in r:
            out[f"{prefix}{r['address']}"] = r
    for name, call in (module.get("module_calls") or {}).items():
        if isinstance(call, dict):
            _config_resources(call.get("module") or {}, f"{prefix}module.{name}.", out)


def _planned(module: dict[str, Any]) -> list[dict[str, Any]]:
    out = [r for r in module.get("resources", []) or [] if isinstance(r, dict)]
    for child in module.get("child_modules", []) or []:
        if isinstance(child, dict):
            out.extend(_planned(child))
    return out


def read_plan(path: Path) -> tuple[Tree, str | None, str]:
    """The plan's instances as a Tree, the region its aws provider names (or None), and where that came from."""
    try:
        text = path.read_text(encoding="utf-8")
        plan = json.loads(text)
    except OSError as exc:
        raise TerraformError(f"{path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise TerraformError(f"{path}: not JSON ({exc}); give `terraform show -json plan.out` output") from None
    if not isinstance(plan, dict) or "planned_values" not in plan:
        raise TerraformError(f"{path}: no planned_values: not a `terraform show -json` plan")
    lines: dict[str, int] = {}
    for m in re.finditer(r'"address":\s*"((?:[^"\\]|\\.)*)"', text):
        lines.setdefault(json.loads(f'"{m.group(1)}"'), text.count("\n", 0, m.start()) + 1)
    config: dict[str, dict[str, Any]] = {}
    _config_resources((plan.get("configuration") or {}).get("root_module") or {}, "", config)
    tree = Tree()
    seen: set[str] = set()
    for r in _planned((plan.get("planned_values") or {}).get("root_module") or {}):
        if r.get("mode", "managed") != "managed" or not isinstance(r.get("type"), str):
            continue
        address = str(r.get("address", ""))
        base = _strip(address)
        seen.add(base)
        module = address.rsplit(".", 2)[0] if address.startswith("module.") else ""
        module = module if module.startswith("module.") and module != address else ""
        body = dict(r.get("values") or {})
        cfg = config.get(base, {})
        refs: dict[str, list[str]] = {}
        for key, expr in (cfg.get("expressions") or {}).items():
            if not isinstance(expr, dict):
                continue
            if body.get(key) is None and "constant_value" in expr:
                body[key] = expr["constant_value"]  # unknown in the plan, but a constant in the code
            if isinstance(expr.get("references"), list):
                refs[key] = [str(x) for x in expr["references"]]
        tree.instances.append(Instance(r["type"], str(r.get("name", "")), address,
                                       f"{path}:{lines.get(address, '?')}", module, body, None, config_refs=refs))
    for base, cfg in config.items():
        if base not in seen and str(cfg.get("type", "")).startswith(("aws_", "random_", "null_", "time_", "tls_")):
            module = base.rsplit(".", 2)[0] if base.startswith("module.") else ""
            tree.instances.append(Instance(str(cfg["type"]), str(cfg.get("name", "")), base,
                                           f"{path}:{lines.get(cfg.get('address', ''), '?')}", module, {}, None,
                                           "not-created", "no instance in the plan (count = 0, for_each empty, or "
                                                          "destroyed)"))
    for name, v in (plan.get("variables") or {}).items():
        if isinstance(v, dict) and "value" in v:
            tree.variables[str(name)] = v["value"]
    region, source = _region(plan, path)
    tree.root_scope = Scope({})
    return tree, region, source


def _region(plan: dict[str, Any], path: Path) -> tuple[str | None, str]:
    providers = (plan.get("configuration") or {}).get("provider_config") or {}
    aws = providers.get("aws") if isinstance(providers, dict) else None
    if not isinstance(aws, dict):
        return None, f"{path}: no root aws provider in the configuration"
    expr = (aws.get("expressions") or {}).get("region")
    if not isinstance(expr, dict):
        return None, f"{path}: the aws provider sets no region"
    if isinstance(expr.get("constant_value"), str):
        return expr["constant_value"], f"{path}: provider aws region (literal)"
    for ref in expr.get("references") or []:
        if isinstance(ref, str) and ref.startswith("var."):
            v = ((plan.get("variables") or {}).get(ref[4:]) or {}).get("value")
            if isinstance(v, str):
                return v, f"{path}: provider aws region ({ref} = {v})"
    return None, f"{path}: the aws provider's region is an expression the plan does not resolve"
