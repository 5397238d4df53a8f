"""The imported environment as a commented sizing YAML: every value says where it came from."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml
from pydantic import ValidationError

from stackcost.sizing.load import ConfigError, format_errors
from stackcost.sizing.model import Stack, is_band_dict
from stackcost.terraform.build import Imported
from stackcost.util import plain


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return plain(v)
    if isinstance(v, int | float):
        return plain(Decimal(str(v)))
    return str(yaml.safe_dump(v, default_flow_style=True, allow_unicode=True)).strip().removesuffix("...").strip()


def _inline(v: Any) -> str:
    if is_band_dict(v):
        return "{" + ", ".join(f"{k}: {_scalar(v[k])}" for k in ("low", "typical", "high")) + "}"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_inline(x)}" for k, x in v.items()) + "}"
    return _scalar(v)


def _origin(origin: dict[str, str], path: str) -> str:
    return origin.get(path, "")


def _emit(node: dict[str, Any], indent: int, path: str, origin: dict[str, str], out: list[str]) -> None:
    pad = " " * indent
    for key, v in node.items():
        p = f"{path}.{key}" if path else key
        note = _origin(origin, p)
        comment = f"  # {note}" if note else ""
        if isinstance(v, dict) and not is_band_dict(v) and key not in ("storage_gb", "tasks"):
            out.append(f"{pad}{key}:{comment}")
            _emit(v, indent + 2, p, origin, out)
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            out.append(f"{pad}{key}:")
            for item in v:
                first = True
                for k2, v2 in item.items():
                    p2 = f"{p}.{item.get('name', '')}.{k2}"
                    note2 = origin.get(p2, "")
                    lead = f"{pad}  - " if first else f"{pad}    "
                    out.append(f"{lead}{k2}: {_inline(v2)}" + (f"  # {note2}" if note2 else ""))
                    first = False
        else:
            out.append(f"{pad}{key}: {_inline(v)}{comment}")


def to_yaml(imp: Imported, source: str | None = None) -> str:
    counts: dict[str, int] = {}
    for inst in imp.instances:
        counts[inst.status] = counts.get(inst.status, 0) + 1
    states = ", ".join(f"{counts[s]} {s}" for s in ("priced", "free", "unsupported", "not-created", "unresolved")
                       if counts.get(s))
    lines = [f"# stackcost sizing imported from Terraform: {source or imp.source}",
             "# Values with a file:line come from the Terraform; 'assumption' values are usage the code cannot know",
             "# (the preset's typical values, or 0 where the preset has none): replace them with your own numbers.",
             f"# Resources: {states or 'none'} (`cost import terraform --format json` lists each one).",
             f"region: {imp.region}  # {imp.region_source}", "environments:", f"  {imp.environment}:"]
    _emit(imp.data, 4, "", imp.origin, lines)
    text = "\n".join(lines) + "\n"
    data = yaml.safe_load(text)
    try:
        Stack.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(["the imported sizing is not valid: " + line for line in format_errors(exc, data)]) \
            from None
    return text
