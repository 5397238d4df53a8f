"""A scenario = a config's environment plus knob overrides, addressed by dotted paths ("fargate.api.tasks",
"rds.instance_class", "other.waf.requests"). Overrides are plain strings so they round-trip through URL query
parameters; applying them goes back through the pydantic model, so an impossible scenario is a message, not a
crash."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from stackcost.catalog import Catalog
from stackcost.errors import StackcostError
from stackcost.sizing import fargate_sizes
from stackcost.sizing.load import format_errors
from stackcost.sizing.model import Environment, Stack, is_band_dict
from stackcost.util import plain

MAX_UPLOAD_BYTES = 256 * 1024
SECTIONS = ("fargate", "rds", "elasticache", "nat", "alb", "cloudfront", "s3", "cloudwatch", "other",
            "aurora", "elasticache_serverless", "xray", "kms", "acm", "vpc_endpoints", "nlb")  # last 7: issue #13
# Knobs that are identities or derived, not sizing.
_HIDDEN = {"name", "os", "engine_rds", "profile", "min", "max", "hours_per_month", "budget_usd"}


class ScenarioError(StackcostError, ValueError):
    """Overrides or a config that do not make a valid stack; the message lists every problem."""


@dataclass
class Knob:
    path: str
    label: str
    kind: str  # bool | int | decimal | band | choice
    value: Any
    choices: list[str] = field(default_factory=list)
    section: str = ""


def _resolve(env: dict[str, Any], path: str) -> tuple[Any, str]:
    """(container, key) of a path in an environment dict; fargate.<name> picks the service by name."""
    parts = path.split(".")
    node: Any = env
    if parts[0] == "fargate":
        if len(parts) < 3:
            raise ScenarioError(f"{path}: expected fargate.<service>.<field>")
        node = next((s for s in env.get("fargate", []) if s["name"] == parts[1]), None)
        if node is None:
            raise ScenarioError(f"{path}: no Fargate service {parts[1]!r}")
        parts = parts[2:]
    for p in parts[:-1]:
        if isinstance(node, list) and p.isdigit() and int(p) < len(node):  # aurora.instances.<i>.<field>
            node = node[int(p)]
            continue
        if not isinstance(node, dict) or node.get(p) is None:
            raise ScenarioError(f"{path}: {p!r} is not in this environment")
        node = node[p]
    if not isinstance(node, dict) or parts[-1] not in node:
        raise ScenarioError(f"{path}: unknown setting")
    return node, parts[-1]


def get(env: dict[str, Any], path: str) -> Any:
    node, key = _resolve(env, path)
    value = node[key]
    if key == "tasks" and isinstance(value, dict):
        return value["desired"]
    return value["typical"] if is_band_dict(value) else value


def _number(text: str, path: str) -> Decimal:
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ScenarioError(f"{path}: {text!r} is not a number") from None
    if not d.is_finite() or d < 0:
        raise ScenarioError(f"{path}: {text!r} must be a number >= 0")
    return d


def set_value(env: dict[str, Any], path: str, text: str) -> None:
    node, key = _resolve(env, path)
    cur = node[key]
    if key == "tasks" and isinstance(cur, dict):
        n = int(_number(text, path))
        lo, hi = cur.get("min"), cur.get("max")
        node[key] = {"desired": n, "min": min(lo, n) if lo is not None else None,
                     "max": max(hi, n) if hi is not None else None, "profile": None}
    elif is_band_dict(cur):
        x = _number(text, path)
        t = Decimal(cur["typical"])
        # Keep the input's relative uncertainty: low and high move in proportion.
        node[key] = {k: Decimal(cur[k]) * x / t for k in ("low", "high")} | {"typical": x} if t else \
            {"low": x, "typical": x, "high": x}
    elif isinstance(cur, bool):
        node[key] = text.lower() in ("true", "1", "yes", "on")
    elif isinstance(cur, int):
        node[key] = int(_number(text, path))
    elif isinstance(cur, Decimal):
        node[key] = _number(text, path)
    else:
        node[key] = text


def apply(base: Environment, overrides: dict[str, str]) -> Environment:
    """The base environment with overrides applied, validated; ScenarioError lists every problem."""
    data = base.model_dump()
    problems = []
    for path, text in sorted(overrides.items()):
        try:
            set_value(data, path, text)
        except ScenarioError as exc:
            problems.append(str(exc))
    if problems:
        raise ScenarioError("\n".join(problems))
    try:
        return Environment.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError("\n".join(format_errors(exc, data))) from None


def fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


def changed(base: Environment, values: dict[str, Any]) -> dict[str, str]:
    """Overrides = the knob values that differ from the base environment."""
    data = base.model_dump()
    out = {}
    for path, value in values.items():
        try:
            cur = get(data, path)
        except ScenarioError:
            continue
        if fmt(_coerce(value, cur)) != fmt(cur):
            out[path] = fmt(_coerce(value, cur))
    return out


def _coerce(value: Any, like: Any) -> Any:
    if isinstance(like, bool):
        return bool(value)
    if isinstance(like, int) and not isinstance(value, str):
        return int(value)
    if isinstance(like, Decimal):
        return Decimal(str(value)).normalize() if value is not None else like
    return value


def knobs(env: Environment, catalog: Catalog) -> list[Knob]:
    """Every sizing knob of an environment, with choices from the catalog where the answer is a name."""
    out: list[Knob] = []
    data = env.model_dump()
    for svc in env.fargate:
        p = f"fargate.{svc.name}"
        sizes = [plain(v) for v in fargate_sizes.VCPU_OPTIONS]
        mems = [plain(m) for m in fargate_sizes.memory_options(svc.vcpu)]
        out += [Knob(f"{p}.tasks", "tasks", "int", svc.tasks.desired, section=f"Fargate: {svc.name}"),
                Knob(f"{p}.vcpu", "vCPU", "choice", plain(svc.vcpu), sizes, f"Fargate: {svc.name}"),
                Knob(f"{p}.memory_gb", "memory GB", "choice", plain(svc.memory_gb), mems, f"Fargate: {svc.name}"),
                Knob(f"{p}.architecture", "architecture", "choice", svc.architecture, ["x86_64", "arm64"],
                     f"Fargate: {svc.name}"),
                Knob(f"{p}.interruption_tolerant", "interruption tolerant (allows Spot)", "bool",
                     svc.interruption_tolerant, section=f"Fargate: {svc.name}"),
                Knob(f"{p}.spot_share", "share of tasks on Spot", "decimal", svc.spot_share,
                     section=f"Fargate: {svc.name}"),
                Knob(f"{p}.ephemeral_storage_gb", "ephemeral storage GB", "decimal", svc.ephemeral_storage_gb,
                     section=f"Fargate: {svc.name}")]
    choices = {
        "rds.instance_class": catalog.values("AmazonRDS", "instanceType", product_family="Database Instance",
                                             databaseEngine="PostgreSQL"),
        "elasticache.node_type": catalog.values("AmazonElastiCache", "instanceType", product_family="Cache Instance"),
        "cloudfront.edge_group": catalog.values("AmazonCloudFront", "edgeGroup", chargeType="transfer-internet"),
        "rds.storage_type": ["gp3", "gp2", "io1"], "rds.log_statement": ["none", "ddl", "mod", "all"],
        "elasticache.engine": ["redis", "valkey"],
        "aurora.engine": ["aurora-postgresql", "aurora-mysql"], "aurora.storage": ["standard", "io-optimized"],
        "aurora.instances.*.instance_class": ["db.serverless", *catalog.values(
            "AmazonRDS", "instanceType", service="Aurora", product_family="Database Instance")],
        "elasticache_serverless.engine": ["valkey", "redis"],
    }
    for section in SECTIONS[1:]:
        model = data.get(section)
        if model is None:
            continue
        out += _section_knobs(section, model, choices)
    return out


TITLES = {"rds": "RDS PostgreSQL", "elasticache": "ElastiCache", "nat": "NAT Gateway", "alb": "Load balancer (ALB)",
          "cloudfront": "CloudFront", "s3": "S3", "cloudwatch": "CloudWatch",
          "other": "Other: Secrets, WAF, Route 53, ECR, network", "aurora": "Aurora",
          "elasticache_serverless": "ElastiCache Serverless", "xray": "X-Ray", "kms": "KMS", "acm": "ACM",
          "vpc_endpoints": "VPC interface endpoints", "nlb": "Network Load Balancer"}


def _section_knobs(prefix: str, model: dict[str, Any], choices: dict[str, list[str]]) -> list[Knob]:
    out = []
    title = TITLES.get(prefix.split(".")[0], prefix)
    for key, value in model.items():
        path = f"{prefix}.{key}"
        if key in _HIDDEN or (prefix == "rds" and key == "engine") or value is None:
            continue
        label = key.replace("_", " ")
        pattern = re.sub(r"\.\d+\.", ".*.", path)  # one choice list for every Aurora instance group
        if pattern in choices:
            out.append(Knob(path, label, "choice", fmt(value), choices[pattern], title))
        elif is_band_dict(value):
            out.append(Knob(path, label, "band", value["typical"], section=title))
        elif isinstance(value, bool):
            out.append(Knob(path, label, "bool", value, section=title))
        elif isinstance(value, int):
            out.append(Knob(path, label, "int", value, section=title))
        elif isinstance(value, Decimal):
            out.append(Knob(path, label, "decimal", value, section=title))
        elif isinstance(value, dict):
            out += _section_knobs(path, value, choices)
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                out += _section_knobs(f"{path}.{i}", item, choices)
    return out


def stack_with(stack: Stack, environment: str, env: Environment) -> Stack:
    return stack.model_copy(update={"environments": {**stack.environments, environment: env}})


def scenario_yaml(stack: Stack, environment: str, env: Environment) -> str:
    """The scenario as a sizing YAML the CLI loads (`cost estimate ENV --config scenario.yaml`)."""
    import yaml

    data = stack_with(stack, environment, env).model_dump(mode="json", exclude_none=True)
    header = (f"# stackcost scenario for {environment}: exported from the what-if page. "
              f"Load with: cost estimate {environment} --config <this file>\n")
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
