"""Terraform resources -> one environment of the sizing model, every value with where it came from: a file and
line of the Terraform, or the preset's typical usage (an assumption, since code cannot know GB or requests)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from stackcost.sizing.load import PRESET, parse_stack, preset_text
from stackcost.terraform.expr import Unresolved, value
from stackcost.terraform.load import Resource, Walk, read_var_file, walk

_REF = re.compile(r"aws_(\w+?)\.([A-Za-z0-9_-]+)")
PRESET_NOTE = f"assumption: {PRESET} typical usage (Terraform cannot know it)"


@dataclass
class Imported:
    environment: str
    data: dict[str, Any]  # the environment, as the sizing model's YAML structure
    origin: dict[str, str] = field(default_factory=dict)  # dotted path -> where the value came from
    warnings: list[str] = field(default_factory=list)


class _Ctx:
    def __init__(self, w: Walk) -> None:
        self.w = w
        self.warnings = w.warnings

    def of(self, rtype: str) -> list[Resource]:
        return [r for r in self.w.resources if r.type == rtype]

    def get(self, r: Resource, key: str, default: Any = None) -> Any:
        if key not in r.body:
            return default
        try:
            return value(r.body[key], r.scope)
        except Unresolved as exc:
            self.warnings.append(f"{r.where}: {r.type}.{r.name}.{key}: {exc}; left for you to set")
            return default

    def block(self, r: Resource, key: str) -> list[dict[str, Any]]:
        raw = r.body.get(key, [])
        blocks = raw if isinstance(raw, list) else [raw]
        out = []
        for b in blocks:
            try:
                out.append(value(b, r.scope))
            except Unresolved as exc:
                self.warnings.append(f"{r.where}: {r.type}.{r.name}.{key}: {exc}")
        return out

    def count(self, r: Resource) -> int:
        n = self.get(r, "count", 1)
        return int(n) if isinstance(n, int | float) else 1


def _num(v: Any) -> Decimal:
    return Decimal(str(v))


def _ref(raw: Any, rtype: str) -> str | None:
    m = _REF.search(str(raw))
    return m.group(2) if m and m.group(1) == rtype else None


def import_terraform(directory: Path, var_files: list[Path], environment: str | None = None) -> Imported:
    inputs: dict[str, Any] = {}
    for vf in var_files:
        inputs.update(read_var_file(vf))
    w = walk(directory, inputs)
    env_name = environment or str(inputs.get("environment") or "production")
    if "environment" not in inputs and environment:
        inputs["environment"] = environment
        w = walk(directory, inputs)
    ctx = _Ctx(w)
    preset = parse_stack(preset_text()).environments
    base = preset.get(env_name) or preset["production"]
    usage = base.model_dump(exclude_none=True)
    out = Imported(env_name, {"hours_per_month": 730}, warnings=ctx.warnings)
    _fargate(ctx, out)
    _rds(ctx, out, usage)
    _elasticache(ctx, out)
    _network(ctx, out, usage)
    _edges(ctx, out, usage)
    _monitoring(ctx, out, usage)
    out.data["other"] = usage.get("other", {})
    out.origin["other"] = PRESET_NOTE + " (no Secrets/WAF/Route 53 resources in this Terraform)"
    return out


def _fargate(ctx: _Ctx, out: Imported) -> None:
    tasks = {r.name: r for r in ctx.of("aws_ecs_task_definition")}
    scaling = ctx.of("aws_appautoscaling_target")
    services = []
    for svc in ctx.of("aws_ecs_service"):
        td = tasks.get(_ref(svc.body.get("task_definition", ""), "ecs_task_definition") or "")
        if td is None:
            ctx.warnings.append(f"{svc.where}: aws_ecs_service.{svc.name}: its task definition is not in this "
                                "Terraform; service skipped")
            continue
        cpu, mem = ctx.get(td, "cpu"), ctx.get(td, "memory")
        if cpu is None or mem is None:
            continue
        entry: dict[str, Any] = {"name": svc.name, "tasks": {"desired": int(ctx.get(svc, "desired_count", 1))},
                                 "vcpu": _num(cpu) / 1024, "memory_gb": _num(mem) / 1024}
        out.origin[f"fargate.{svc.name}.vcpu"] = f"{td.where} cpu = {cpu} CPU units"
        out.origin[f"fargate.{svc.name}.memory_gb"] = f"{td.where} memory = {mem} MiB"
        out.origin[f"fargate.{svc.name}.tasks"] = f"{svc.where} desired_count"
        for rp in ctx.block(td, "runtime_platform"):
            if str(rp.get("cpu_architecture", "X86_64")).upper() == "ARM64":
                entry["architecture"] = "arm64"
        for es in ctx.block(td, "ephemeral_storage"):
            if "size_in_gib" in es:
                entry["ephemeral_storage_gb"] = int(es["size_in_gib"])
        strategy = ctx.block(svc, "capacity_provider_strategy")
        if strategy:
            weights = {s.get("capacity_provider"): Decimal(str(s.get("weight", 0))) for s in strategy}
            total = sum(weights.values(), Decimal(0))
            if total and weights.get("FARGATE_SPOT"):
                entry["spot_share"] = weights["FARGATE_SPOT"] / total
                entry["interruption_tolerant"] = True
                out.origin[f"fargate.{svc.name}.spot_share"] = f"{svc.where} capacity_provider_strategy weights " \
                                                               "(base tasks not modelled)"
        for t in scaling:
            if ctx.get(t, "service_namespace") != "ecs":
                continue
            target = _ref(t.body.get("resource_id", ""), "ecs_service")
            if target == svc.name or (target is None and len(ctx.of("aws_ecs_service")) == 1):
                lo, hi = ctx.get(t, "min_capacity"), ctx.get(t, "max_capacity")
                d = entry["tasks"]["desired"]
                if lo is not None:
                    entry["tasks"]["min"] = min(int(lo), d)
                if hi is not None:
                    entry["tasks"]["max"] = max(int(hi), d)
                out.origin[f"fargate.{svc.name}.tasks"] += f"; min/max from {t.where}"
        services.append(entry)
    if services:
        out.data["fargate"] = services


def _rds(ctx: _Ctx, out: Imported, usage: dict[str, Any]) -> None:
    dbs = ctx.of("aws_db_instance")
    if not dbs:
        return
    if len(dbs) > 1:
        ctx.warnings.append(f"{dbs[1].where}: more than one aws_db_instance; only {dbs[0].name} is imported")
    db = dbs[0]
    engine = str(ctx.get(db, "engine", ""))
    if engine not in ("postgres", "aurora-postgresql") and engine:
        ctx.warnings.append(f"{db.where}: engine {engine!r} is not PostgreSQL; not imported")
        return
    rds: dict[str, Any] = {"instance_class": ctx.get(db, "instance_class"), "multi_az": bool(ctx.get(db, "multi_az",
                                                                                                     False)),
                           "storage_type": ctx.get(db, "storage_type", "gp2"),
                           "allocated_gb": ctx.get(db, "allocated_storage")}
    for key, tf in (("iops", "iops"), ("throughput_mibps", "storage_throughput")):
        v = ctx.get(db, tf)
        if v is not None:
            rds[key] = int(v)
    if ctx.get(db, "performance_insights_enabled", False):
        days = int(ctx.get(db, "performance_insights_retention_period", 7) or 7)
        rds["performance_insights_retention_months"] = 0 if days <= 7 else max(1, round(days / 31))
    interval = int(ctx.get(db, "monitoring_interval", 0) or 0)
    rds["enhanced_monitoring_interval_s"] = interval
    rds.update({k: v for k, v in usage.get("rds", {}).items() if k in ("backup_storage_gb",)})
    if interval:
        rds["enhanced_monitoring_gb"] = usage.get("rds", {}).get("enhanced_monitoring_gb", 0)
    if ctx.get(db, "enabled_cloudwatch_logs_exports"):
        rds["exported_logs_gb"] = usage.get("rds", {}).get("exported_logs_gb", 0)
    pg_name = _ref(db.body.get("parameter_group_name", ""), "db_parameter_group")
    for pg in ctx.of("aws_db_parameter_group"):
        if pg_name in (None, pg.name):
            for p in ctx.block(pg, "parameter"):
                if p.get("name") == "log_statement":
                    rds["log_statement"] = p.get("value")
                    out.origin["rds.log_statement"] = f"{pg.where} parameter log_statement"
    for key in ("instance_class", "multi_az", "storage_type", "allocated_gb", "enhanced_monitoring_interval_s"):
        out.origin.setdefault(f"rds.{key}", f"{db.where}")
    for key in ("backup_storage_gb", "enhanced_monitoring_gb", "exported_logs_gb"):
        if key in rds:
            out.origin[f"rds.{key}"] = PRESET_NOTE
    missing = [k for k in ("instance_class", "allocated_gb") if rds.get(k) is None]
    if missing:
        ctx.warnings.append(f"{db.where}: aws_db_instance.{db.name}: {', '.join(missing)} unresolved; RDS left "
                            "out (set it in the YAML)")
        return
    out.data["rds"] = rds


def _elasticache(ctx: _Ctx, out: Imported) -> None:
    for rg in ctx.of("aws_elasticache_replication_group")[:1]:
        nodes = ctx.get(rg, "num_cache_clusters")
        if nodes is None and ctx.get(rg, "num_node_groups") is not None:
            nodes = int(ctx.get(rg, "num_node_groups")) * (1 + int(ctx.get(rg, "replicas_per_node_group", 0)))
        engine = str(ctx.get(rg, "engine", "redis"))
        out.data["elasticache"] = {"engine": engine if engine in ("redis", "valkey") else "redis",
                                   "node_type": ctx.get(rg, "node_type"), "nodes": int(nodes or 1)}
        out.origin["elasticache"] = rg.where


def _network(ctx: _Ctx, out: Imported, usage: dict[str, Any]) -> None:
    nats = ctx.of("aws_nat_gateway")
    if nats:
        out.data["nat"] = {"gateways": sum(ctx.count(n) for n in nats),
                           **{k: v for k, v in usage.get("nat", {}).items() if k != "gateways"}}
        out.origin["nat.gateways"] = ", ".join(n.where for n in nats) + " (count)"
        out.origin["nat.data_processed_gb"] = PRESET_NOTE
        out.origin["nat.s3_gb"] = PRESET_NOTE
    lbs = [lb for lb in ctx.of("aws_lb") if ctx.get(lb, "load_balancer_type", "application") == "application"]
    if lbs:
        public = [s for s in ctx.of("aws_subnet") if ctx.get(s, "map_public_ip_on_launch", False)]
        azs = sum(ctx.count(s) for s in public) or 2
        if azs < 2:
            ctx.warnings.append(f"{lbs[0].where}: an ALB needs subnets in at least two AZs; 2 assumed")
            azs = 2
        alb_usage = {k: v for k, v in usage.get("alb", {}).items()
                     if k not in ("load_balancers", "availability_zones", "internet_facing")}
        out.data["alb"] = {"load_balancers": sum(ctx.count(lb) for lb in lbs), "availability_zones": azs,
                           "internet_facing": not bool(ctx.get(lbs[0], "internal", False)), **alb_usage}
        out.origin["alb.load_balancers"] = lbs[0].where
        out.origin["alb.availability_zones"] = "public aws_subnet count"
        out.origin["alb.new_connections_per_s"] = PRESET_NOTE + " (all LCU inputs and rules)"


def _edges(ctx: _Ctx, out: Imported, usage: dict[str, Any]) -> None:
    cf = ctx.of("aws_cloudfront_distribution")
    if cf and "cloudfront" in usage:
        out.data["cloudfront"] = usage["cloudfront"]
        out.origin["cloudfront"] = f"{cf[0].where} (traffic: {PRESET_NOTE})"
    elif cf:
        ctx.warnings.append(f"{cf[0].where}: a CloudFront distribution, but the preset has no traffic for "
                            f"{out.environment}: add a cloudfront section")
    s3 = ctx.of("aws_s3_bucket")
    if s3 and "s3" in usage:
        out.data["s3"] = usage["s3"]
        out.origin["s3"] = f"{s3[0].where} (storage and requests: {PRESET_NOTE})"


def _monitoring(ctx: _Ctx, out: Imported, usage: dict[str, Any]) -> None:
    alarms = sum(ctx.count(a) for a in ctx.of("aws_cloudwatch_metric_alarm"))
    insights = False
    for cluster in ctx.of("aws_ecs_cluster"):
        for s in ctx.block(cluster, "setting"):
            if s.get("name") == "containerInsights" and s.get("value") in ("enabled", "enhanced"):
                insights = True
                out.origin["cloudwatch.container_insights"] = f"{cluster.where} setting containerInsights"
    cw = {k: v for k, v in usage.get("cloudwatch", {}).items() if k not in ("alarms", "container_insights")}
    if not insights:
        cw = {k: v for k, v in cw.items() if not k.startswith("container_insights")}
    out.data["cloudwatch"] = {**cw, "alarms": alarms, "container_insights": insights}
    out.origin["cloudwatch.alarms"] = f"{alarms} aws_cloudwatch_metric_alarm"
    out.origin["cloudwatch.logs_ingested_gb"] = PRESET_NOTE
