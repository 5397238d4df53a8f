"""The one way to change a sizing: values replaced at dotted paths, then the whole environment (or stack)
validated again, so an edit can never leave a sizing the YAML loader would refuse (memory that does not fit the
vCPU, S3 traffic above the NAT traffic it is part of, min above max).

Paths: `rds.instance_class`, `nat.data_processed_gb`, `fargate.<service name>.tasks`,
`aurora.instances.<index>.instance_class`. The page, the analysis helpers and the optimizer all edit through here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from stackcost.errors import StackcostError
from stackcost.sizing.model import Environment, Stack


class EditError(StackcostError, ValueError):
    """A path that names nothing in the sizing, or an edit that makes it invalid."""


def resolve_path(env: dict[str, Any], path: str) -> tuple[Any, str]:
    """(container, key) of a path in an environment dict; fargate.<name> picks the service by name."""
    parts = path.split(".")
    node: Any = env
    if parts[0] == "fargate":
        if len(parts) < 3:
            raise EditError(f"{path}: expected fargate.<service>.<field>")
        node = next((s for s in env.get("fargate", []) if s["name"] == parts[1]), None)
        if node is None:
            raise EditError(f"{path}: no Fargate service {parts[1]!r}")
        parts = parts[2:]
    for p in parts[:-1]:
        if isinstance(node, list) and p.isdigit() and int(p) < len(node):  # aurora.instances.<i>.<field>
            node = node[int(p)]
            continue
        if not isinstance(node, dict) or node.get(p) is None:
            raise EditError(f"{path}: {p!r} is not in this environment")
        node = node[p]
    if not isinstance(node, dict) or parts[-1] not in node:
        raise EditError(f"{path}: unknown setting")
    return node, parts[-1]


def edited(env: Environment, changes: Mapping[str, Any]) -> Environment:
    """`env` with each path set to its value (a model is dumped first), validated again as a whole."""
    data = env.model_dump()
    for path, value in changes.items():
        node, key = resolve_path(data, path)
        node[key] = value.model_dump() if isinstance(value, BaseModel) else value
    try:
        return Environment.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise EditError(f"{', '.join(changes)}: {where}: {first['msg']}") from None


def with_environment(stack: Stack, name: str, env: Environment) -> Stack:
    """The stack with one environment replaced, validated again."""
    data = stack.model_dump()
    data["environments"][name] = env.model_dump()
    return Stack.model_validate(data)
