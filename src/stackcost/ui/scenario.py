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
from stackcost.safeio import MAX_MAGNITUDE
from stackcost.sizing import fargate_sizes
from stackcost.sizing.edit import EditError, resolve_path, with_environment
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
    help: str | None = None


# The label (with its unit) and help of each knob, by its path without the Fargate service name. A knob not
# listed here (a section added later) gets a label made from its field name and the model's description.
LABELS: dict[str, tuple[str, str]] = {
    "fargate.tasks": ("Running tasks", "Tasks running all month (the desired count)."),
    "fargate.vcpu": ("vCPU per task", "Fargate task size; the memory choices follow it."),
    "fargate.memory_gb": ("Memory per task (GB)", "Only the sizes Fargate accepts with the chosen vCPU."),
    "fargate.architecture": ("CPU architecture", "arm64 (Graviton) is priced lower per vCPU-hour."),
    "fargate.interruption_tolerant": ("Can be interrupted (allows Spot)",
                                      "Spot tasks can be stopped with two minutes' notice."),
    "fargate.spot_share": ("Share of tasks on Spot (0–1)", "0.5 = half the tasks on Fargate Spot."),
    "fargate.ephemeral_storage_gb": ("Ephemeral storage per task (GB)", "20 GB are included; 21–200 GB are billed."),
    "rds.instance_class": ("Instance class", "RDS PostgreSQL classes with a price in the catalog."),
    "rds.multi_az": ("Multi-AZ (standby in a second zone)", "Doubles the instance and storage price."),
    "rds.storage_type": ("Storage type", "gp3 is the default for new instances."),
    "rds.read_replicas": ("Read replicas", "Each replica is priced as another instance."),
    "rds.allocated_gb": ("Allocated storage (GB)", ""),
    "rds.backup_storage_gb": ("Backup storage (GB)", "Total backups; storage up to the database size is free."),
    "rds.performance_insights_retention_months": ("Performance Insights retention (months)",
                                                  "0 = the free 7 days."),
    "rds.enhanced_monitoring_interval_s": ("Enhanced Monitoring interval (seconds)", "0 = off."),
    "rds.enhanced_monitoring_gb": ("Enhanced Monitoring logs (GB/month)", "Written to CloudWatch Logs."),
    "rds.log_statement": ("SQL statements logged", "PostgreSQL's log_statement setting: none, ddl, mod or all."),
    "rds.exported_logs_gb": ("Logs exported to CloudWatch (GB/month)", "PostgreSQL logs sent to CloudWatch Logs."),
    "elasticache.engine": ("Engine", "Valkey nodes are priced lower than Redis OSS."),
    "elasticache.node_type": ("Node type", "ElastiCache node types with a price in the catalog."),
    "elasticache.nodes": ("Nodes", "Primary plus replicas."),
    "nat.gateways": ("NAT gateways", "Usually one per availability zone; each has an Elastic IP."),
    "nat.data_processed_gb": ("Data through NAT (GB/month)", "All traffic the gateways process."),
    "nat.s3_gb": ("Of that, to S3 (GB/month)", "An S3 gateway endpoint would make this part free."),
    "alb.load_balancers": ("Load balancers", ""),
    "alb.availability_zones": ("Availability zones", "One public IPv4 per zone when internet-facing."),
    "alb.internet_facing": ("Internet-facing", "Internet-facing load balancers pay for public IPv4 addresses."),
    "alb.new_connections_per_s": ("New connections per second", "Average; one LCU covers 25 per second."),
    "alb.active_connections_per_min": ("Active connections per minute", "Average; one LCU covers 3,000."),
    "alb.processed_gb_per_h": ("Data processed (GB per hour)", "Average; one LCU covers 1 GB per hour."),
    "alb.requests_per_s": ("Requests per second", "Average; drives rule evaluations."),
    "alb.rules": ("Listener rules evaluated per request", "The first 10 are free."),
    "cloudfront.edge_group": ("Where viewers are", "CloudFront's price region for most of the traffic."),
    "cloudfront.data_out_gb": ("Data to viewers (GB/month)", ""),
    "cloudfront.http_requests": ("HTTP requests per month", ""),
    "cloudfront.https_requests": ("HTTPS requests per month", ""),
    "cloudfront.always_free_tier": ("Use CloudFront's always-free tier", "1 TB and 10 million requests a month."),
    "s3.put_requests": ("PUT/POST requests per month", ""),
    "s3.get_requests": ("GET requests per month", ""),
    "s3.data_out_gb": ("Data out to the internet (GB/month)", "Served straight from S3, not via CloudFront."),
    "cloudwatch.logs_ingested_gb": ("Logs ingested (GB/month)", "Application logs (ECS awslogs)."),
    "cloudwatch.logs_stored_gb": ("Logs stored (GB, average)", "All log groups, averaged over the month."),
    "cloudwatch.custom_metrics": ("Custom metrics", ""),
    "cloudwatch.alarms": ("Alarms", "The first 10 are free."),
    "cloudwatch.container_insights": ("Container Insights", ""),
    "cloudwatch.container_insights_metrics": ("Container Insights metrics", "Custom metrics it emits."),
    "cloudwatch.container_insights_logs_gb": ("Container Insights logs (GB/month)", "Performance log events."),
    "cloudwatch.dashboards": ("Dashboards", "The first 3 are free."),
    "cloudwatch.api_requests": ("CloudWatch API requests per month", ""),
    "other.secrets": ("Secrets Manager secrets", ""),
    "other.secrets_api_requests": ("Secrets Manager API calls per month", ""),
    "other.waf.web_acls": ("WAF web ACLs", ""),
    "other.waf.rules": ("WAF rules", "Rules across all web ACLs."),
    "other.waf.requests": ("WAF requests per month", ""),
    "other.route53.hosted_zones": ("Route 53 hosted zones", ""),
    "other.route53.queries": ("Route 53 queries per month", ""),
    "other.route53.alias_query_share": ("Share of alias queries (0–1)", "Alias queries to AWS resources are free."),
    "other.ecr_storage_gb": ("ECR image storage (GB)", ""),
    "other.extra_public_ipv4": ("Other public IPv4 addresses", "Beyond NAT Elastic IPs and load balancer nodes."),
    "other.inter_az_gb": ("Data between zones (GB/month)", "Billed in each direction."),
    "other.internet_out_gb": ("Data out to the internet (GB/month)", "Not via CloudFront or S3."),
}
_UNITS = (("_gb_per_h", " (GB per hour)"), ("_per_min", " per minute"), ("_per_s", " per second"),
          ("_gb", " (GB)"), ("_pct", " (%)"), ("_months", " (months)"), ("_millions", " (millions)"))


def label_for(path: str, description: str | None = None) -> tuple[str, str]:
    """(label, help) of a knob path: from LABELS, else the field name made readable with its unit."""
    parts = path.split(".")
    generic = ".".join([parts[0], *parts[2:]]) if parts[0] == "fargate" else path
    if generic in LABELS:
        return LABELS[generic]
    if generic.startswith("s3.storage_gb."):
        return f"S3 {parts[-1].replace('_', ' ')} storage (GB)", "Average GB stored in this storage class."
    key = parts[-1]
    for suffix, unit in _UNITS:
        if key.endswith(suffix):
            key = key[: -len(suffix)] + unit
            break
    words = key.replace("_", " ").strip()
    words = " ".join(w.upper() if w in ("az", "acu", "ecpu", "kms", "io", "ipv4", "api") else w for w in words.split())
    return words[:1].upper() + words[1:], description or ""


_SIZES = {"nano": 0, "micro": 1, "small": 2, "medium": 3, "large": 4, "xlarge": 5}


def class_sort_key(name: str) -> tuple[str, int, str]:
    """Instance classes in the order AWS lists them: family, then size (large, xlarge, 2xlarge … 16xlarge)."""
    family, _, size = name.rpartition(".")
    if size in _SIZES:
        return family, _SIZES[size], size
    digits = "".join(ch for ch in size if ch.isdigit())
    if digits and size == f"{digits}xlarge":
        return family, 5 + int(digits), size
    return family, 10_000, size  # metal and anything unforeseen last, in name order


def _resolve(env: dict[str, Any], path: str) -> tuple[Any, str]:
    """(container, key) of a knob's path (sizing.edit resolves it; its error is the page's one line)."""
    try:
        return resolve_path(env, path)
    except EditError as exc:
        raise ScenarioError(str(exc)) from None


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
        raise ScenarioError(f"{path}: {text[:40]!r} is not a number") from None
    if not d.is_finite() or d < 0:
        raise ScenarioError(f"{path}: {text[:40]!r} must be a number >= 0")
    if d > MAX_MAGNITUDE:  # 1e9999999 would make int() build a ten-million-digit number
        raise ScenarioError(f"{path}: {text[:40]!r} is too large")
    return d


def _whole(text: str, path: str) -> int:
    """A count: "3" or "3.0", never "2.7" silently made 2, never a number too large to be a count."""
    d = _number(text, path)
    if d != d.to_integral_value():
        raise ScenarioError(f"{path}: {text[:40]!r} is not a whole number")
    return int(d)


_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _flag(text: str, path: str) -> bool:
    """A yes/no knob: true/false, 1/0 or yes/no; anything else is refused, not read as false."""
    value = _BOOLS.get(text.strip().lower())
    if value is None:
        raise ScenarioError(f"{path}: {text!r} is not true or false")
    return value


def set_value(env: dict[str, Any], path: str, text: str) -> None:
    node, key = _resolve(env, path)
    cur = node[key]
    if key == "tasks" and isinstance(cur, dict):
        n = _whole(text, path)
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
        node[key] = _flag(text, path)
    elif isinstance(cur, int):
        node[key] = _whole(text, path)
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


def apply_valid(base: Environment, overrides: dict[str, str],
                check: Any = None) -> tuple[Environment, dict[str, str], list[str]]:
    """The base with every override that works applied: (environment, kept overrides, one problem per rejected
    override). `check(env)` may reject an environment further (the catalog check) by raising StackcostError.
    A Fargate service's overrides are tried together first (vCPU 16 needs its memory with it), then one by one."""

    def ok(trial: dict[str, str]) -> str | None:
        try:
            env = apply(base, trial)
            if check is not None:
                check(env)
        except StackcostError as exc:
            return str(exc)
        return None

    if ok(overrides) is None:
        return apply(base, overrides), dict(overrides), []
    groups: dict[str, list[str]] = {}
    for path in sorted(overrides):
        parts = path.split(".")
        groups.setdefault(".".join(parts[:2]) if parts[0] == "fargate" else path, []).append(path)
    kept: dict[str, str] = {}
    problems: list[str] = []
    for paths in groups.values():
        together = {p: overrides[p] for p in paths}
        if len(paths) > 1 and ok({**kept, **together}) is None:
            kept |= together
            continue
        for path in paths:
            error = ok({**kept, path: overrides[path]})
            if error is None:
                kept[path] = overrides[path]
            else:
                problems += [f"{path}={overrides[path]}: {line.removeprefix(path + ': ')}"
                             for line in error.splitlines()]
    return (apply(base, kept) if kept else base), kept, problems


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
        sec = f"Fargate: {svc.name}"
        specs: list[tuple[str, str, Any, list[str]]] = [
            ("tasks", "int", svc.tasks.desired, []), ("vcpu", "choice", plain(svc.vcpu), sizes),
            ("memory_gb", "choice", plain(svc.memory_gb), mems),
            ("architecture", "choice", svc.architecture, ["x86_64", "arm64"]),
            ("interruption_tolerant", "bool", svc.interruption_tolerant, []),
            ("spot_share", "decimal", svc.spot_share, []),
            ("ephemeral_storage_gb", "decimal", svc.ephemeral_storage_gb, [])]
        for key, kind, value, opts in specs:
            label, help_ = label_for(f"{p}.{key}")
            out.append(Knob(f"{p}.{key}", label, kind, value, opts, sec, help_ or None))
    choices = {
        "rds.instance_class": sorted(catalog.values("AmazonRDS", "instanceType", product_family="Database Instance",
                                                    databaseEngine="PostgreSQL"), key=class_sort_key),
        "elasticache.node_type": sorted(catalog.values("AmazonElastiCache", "instanceType",
                                                       product_family="Cache Instance"), key=class_sort_key),
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
        label, help_ = label_for(path, _description(path))
        h = help_ or None
        pattern = re.sub(r"\.\d+\.", ".*.", path)  # one choice list for every Aurora instance group
        if pattern in choices:
            out.append(Knob(path, label, "choice", fmt(value), choices[pattern], title, h))
        elif is_band_dict(value):
            out.append(Knob(path, label, "band", value["typical"], section=title, help=h))
        elif isinstance(value, bool):
            out.append(Knob(path, label, "bool", value, section=title, help=h))
        elif isinstance(value, int):
            out.append(Knob(path, label, "int", value, section=title, help=h))
        elif isinstance(value, Decimal):
            out.append(Knob(path, label, "decimal", value, section=title, help=h))
        elif isinstance(value, dict):
            out += _section_knobs(path, value, choices)
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                out += _section_knobs(f"{path}.{i}", item, choices)
    return out


def _description(path: str) -> str | None:
    """The sizing model's own description of a field (pydantic Field(description=...)), if it has one."""
    model: Any = Environment
    for part in path.split("."):
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return None
        info = fields[part]
        if part == path.split(".")[-1]:
            return str(info.description) if info.description else None
        model = next((a for a in getattr(info.annotation, "__args__", ()) if hasattr(a, "model_fields")),
                     info.annotation)
    return None


def stack_with(stack: Stack, environment: str, env: Environment) -> Stack:
    return with_environment(stack, environment, env)


def scenario_yaml(stack: Stack, environment: str, env: Environment) -> str:
    """The scenario as a sizing YAML the CLI loads (`cost estimate ENV --config scenario.yaml`)."""
    import yaml

    data = stack_with(stack, environment, env).model_dump(mode="json", exclude_none=True)
    header = (f"# stackcost scenario for {environment}: exported from the what-if page. "
              f"Load with: cost estimate {environment} --config <this file>\n")
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
