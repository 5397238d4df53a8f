"""Read a sizing YAML into a Stack, turning every problem into one readable line per error.

    production.rds.instnce_class: unknown field (did you mean instance_class?)
    production.fargate[api].memory_gb: 3 is not valid with 2 vCPU (4-16 GB in 1 GB steps; nearest: 4)
    cost.yaml:12:5: mapping values are not allowed here
"""

from __future__ import annotations

import errno
import os
import stat
import types
import typing
from pathlib import Path
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from stackcost import safeio
from stackcost.errors import StackcostError
from stackcost.sizing.model import Stack

PRESET = "hospital-erp.yaml"
MAX_BYTES = 1_000_000  # a sizing file is a few KB; refuse anything that is clearly not one
MAX_ERROR_LINES = 20


class ConfigError(StackcostError):
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def preset_text() -> str:
    beside = Path(__file__).parent.parent / "presets" / PRESET
    if beside.is_file():  # installed as files, the usual case: importlib.resources costs a few ms of imports
        return beside.read_text(encoding="utf-8")
    from importlib import resources

    return (resources.files("stackcost.presets") / PRESET).read_text(encoding="utf-8")


def parse_yaml(text: str, source: str) -> Any:
    """YAML through the guarded loader (safeio.load_yaml): aliases bounded, duplicate keys, YAML 1.1 number forms
    and non-finite numbers refused, numbers bounded in magnitude; every refusal is one ConfigError line."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise ConfigError([f"{source}: larger than {MAX_BYTES:,} bytes; not a sizing file"])
    try:
        data = safeio.load_yaml(text, source)
        safeio.check_magnitudes(data, source)
    except StackcostError as exc:
        raise ConfigError([str(exc)]) from None
    return data


def parse_stack(text: str, source: str = "<config>") -> Stack:
    data = parse_yaml(text, source)
    if not isinstance(data, dict):
        raise ConfigError([f"{source}: expected a mapping with `environments:`, got {type(data).__name__}"])
    try:
        return Stack.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_errors(exc, data)) from None
    except (ArithmeticError, RecursionError) as exc:  # a validator doing arithmetic on an extreme value
        raise ConfigError([f"{source}: a value is out of range ({type(exc).__name__})"]) from None


def resolve_config(explicit: Path | None) -> Path | None:
    """The config the CLI should read: `explicit` when given, else ./cost.yaml when there is one, else None (the
    embedded preset). A ./cost.yaml that exists but cannot be the config (a dangling link, a link loop, a
    directory, a device) is an error: silently pricing the preset instead would be a wrong answer."""
    if explicit is not None:
        return explicit
    here = Path("cost.yaml")
    try:
        here.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError([f"./cost.yaml: cannot be read ({exc.strerror})"]) from None
    try:
        st = here.stat()
    except FileNotFoundError:
        raise ConfigError([f"./cost.yaml is a link to {os.readlink(here)!s}, which does not exist; fix or remove "
                           "it (or pass --config)"]) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ConfigError(["./cost.yaml is a symbolic link loop; fix or remove it (or pass --config)"]) from None
        raise ConfigError([f"./cost.yaml: cannot be read ({exc.strerror})"]) from None
    if stat.S_ISDIR(st.st_mode):
        raise ConfigError(["./cost.yaml is a directory, not a sizing file; remove it or pass --config"])
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(["./cost.yaml is not a regular file; remove it or pass --config"])
    return here


def load_stack(path: Path | None = None) -> tuple[Stack, str]:
    """The stack from `path`, else the embedded preset; and where it came from. The working directory is never
    consulted here (the CLI's ./cost.yaml convenience is `resolve_config`)."""
    if path is None:
        return parse_stack(preset_text(), f"preset {PRESET}"), f"embedded preset {PRESET}"
    try:
        text = safeio.read_text_bounded(path, MAX_BYTES, "sizing YAML")
    except StackcostError as exc:
        raise ConfigError([str(exc)]) from None
    return parse_stack(text, str(path)), str(path)


def empty_environments(stack: Stack) -> list[str]:
    """Environments that name no service at all: they price at $0, which the user should hear about."""
    empty = []
    for name, env in stack.environments.items():
        fields = env.model_fields_set - {"hours_per_month", "account"}
        if not fields or all(_is_empty(getattr(env, f)) for f in fields):
            empty.append(name)
    return empty


def _is_empty(value: Any) -> bool:
    if value is None or value == [] or value == {}:
        return True
    return isinstance(value, BaseModel) and not value.model_fields_set


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
            msg = f"{safeio.echo(err['input'])} is not allowed: {msg.removeprefix('Input should be ')}"
        elif not err["type"].startswith("value_error"):
            msg = f"{msg} (got {safeio.echo(err['input'])})"
        lines.append(f"{path}: {safeio.cap(msg)}")
    if len(lines) > MAX_ERROR_LINES:  # a generated or pasted file can have thousands: the first ones say enough
        lines = [*lines[:MAX_ERROR_LINES], f"... and {len(lines) - MAX_ERROR_LINES:,} more problems"]
    return lines


def _path(loc: list[Any], data: Any) -> str:
    """`environments.production.fargate.0.memory_gb` -> `production.fargate[api].memory_gb`."""
    parts: list[str] = []
    node = data
    if loc == ["environments"]:
        return "environments"
    if loc[:1] == ["environments"]:
        loc = loc[1:]
        node = data.get("environments") if isinstance(data, dict) else None
    for item in loc:
        if isinstance(item, int):
            name = node[item].get("name") if isinstance(node, list) and item < len(node) and \
                isinstance(node[item], dict) else None
            if parts:
                parts[-1] += f"[{name or item}]"
            else:  # a non-string key at the top (`0: x`)
                parts.append(f"[{item}]")
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
    import difflib

    match = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1, cutoff=0.6)
    return match[0] if match else ""
