"""Read a sizing YAML into a Stack, turning every problem into one readable line per error.

    production.rds.instnce_class: unknown field (did you mean instance_class?)
    production.fargate[api].memory_gb: 3 is not valid with 2 vCPU (4-16 GB in 1 GB steps; nearest: 4)
    cost.yaml:12:5: mapping values are not allowed here
"""

from __future__ import annotations

import difflib
import types
import typing
from importlib import resources
from pathlib import Path
from typing import Any, Union

import yaml
from pydantic import BaseModel, ValidationError

from stackcost.errors import StackcostError
from stackcost.sizing.model import Stack

PRESET = "hospital-erp.yaml"
MAX_BYTES = 1_000_000  # a sizing file is a few KB; refuse anything that is clearly not one


class ConfigError(StackcostError):
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def preset_text() -> str:
    return (resources.files("stackcost.presets") / PRESET).read_text(encoding="utf-8")


def parse_yaml(text: str, source: str) -> Any:
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ConfigError([f"{source}: larger than {MAX_BYTES:,} bytes; not a sizing file"])
    # libyaml's safe loader when the wheel has it: the same safe subset, ~10x faster than the pure-Python one.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise ConfigError([f"{where}: {exc.problem or exc.context}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{source}: not valid YAML ({exc})"]) from None


def parse_stack(text: str, source: str = "<config>") -> Stack:
    data = parse_yaml(text, source)
    if not isinstance(data, dict):
        raise ConfigError([f"{source}: expected a mapping with `environments:`, got {type(data).__name__}"])
    try:
        return Stack.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_errors(exc, data)) from None


def load_stack(path: Path | None = None) -> tuple[Stack, str]:
    """The stack from `path`, else ./cost.yaml when present, else the embedded preset; and where it came from."""
    if path is None and Path("cost.yaml").is_file():
        path = Path("cost.yaml")
    if path is None:
        return parse_stack(preset_text(), f"preset {PRESET}"), f"embedded preset {PRESET}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot be read ({exc.__class__.__name__})"]) from None
    return parse_stack(text, str(path)), str(path)


# -- error formatting ---------------------------------------------------------------------------------------

def format_errors(exc: ValidationError, data: Any) -> list[str]:
    errors = exc.errors(include_url=False)
    # A misspelt key shows up twice: as an unknown field and as the missing one it meant. Keep the first only.
    meant = {(*err["loc"][:-1], _field_suggestion(list(err["loc"])))
             for err in errors if err["type"] == "extra_forbidden"}
    lines = []
    for err in errors:
        loc = list(err["loc"])
        if err["type"] == "missing" and tuple(loc) in meant:
            continue
        path = _path(loc, data)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            near = _field_suggestion(loc)
            msg = "unknown field" + (f" (did you mean {near}?)" if near else "")
        elif err["type"] == "missing":
            msg = "required field missing"
        elif err["type"] in ("literal_error", "enum"):
            msg = f"{err['input']!r} is not allowed: {msg.removeprefix('Input should be ')}"
        elif not err["type"].startswith("value_error"):
            msg = f"{msg} (got {err['input']!r})"
        lines.append(f"{path}: {msg}")
    return lines


def _path(loc: list[Any], data: Any) -> str:
    """`environments.production.fargate.0.memory_gb` -> `production.fargate[api].memory_gb`."""
    parts: list[str] = []
    node = data
    if loc[:1] == ["environments"]:
        loc = loc[1:]
        node = data.get("environments") if isinstance(data, dict) else None
    for item in loc:
        if isinstance(item, int):
            name = node[item].get("name") if isinstance(node, list) and item < len(node) and \
                isinstance(node[item], dict) else None
            parts[-1] += f"[{name or item}]"
            node = node[item] if isinstance(node, list) and item < len(node) else None
            continue
        parts.append(str(item))
        node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts) or "<top level>"


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType, list, dict):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found:
                return found
    return None


def _field_suggestion(loc: list[Any]) -> str:
    """The closest field name the model allows where an unknown key was found."""
    model: type[BaseModel] | None = Stack
    for item in loc[:-1]:
        if model is None:
            return ""
        if isinstance(item, str) and item in model.model_fields:
            model = _model_of(model.model_fields[item].annotation)
        # dict keys (environment names) and list indexes keep the element model found above
    if model is None:
        return ""
    match = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1, cutoff=0.6)
    return match[0] if match else ""
