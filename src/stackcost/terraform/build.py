"""Resource instances -> one environment of the sizing model. Every instance ends in exactly one state (priced,
free, unsupported, not-created, unresolved) with its reason and file:line; every value in the YAML says where it
came from: the Terraform (file:line), or the preset's typical usage (an assumption: code cannot know GB or
requests). Sections appear only for resources the code holds."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from stackcost.regions import DEFAULT_REGION
from stackcost.sizing import fargate_sizes
from stackcost.sizing.load import PRESET, parse_stack, preset_text
from stackcost.terraform.expr import Scope, Unresolved, known, value
from stackcost.terraform.load import Instance, ModuleFinder, Tree, read_var_file, walk

PRESET_NOTE = f"assumption: {PRESET} typical usage (Terraform cannot know it)"
NOT_IN_PRESET = "assumption: not in the code nor the preset; set your own (0 = not counted)"

# Types that cost nothing by themselves (or whose cost is counted through another resource).
FREE_TYPES = {
    "aws_vpc", "aws_subnet", "aws_route_table", "aws_route_table_association", "aws_route", "aws_internet_gateway",
    "aws_egress_only_internet_gateway", "aws_default_vpc", "aws_default_subnet", "aws_default_route_table",
    "aws_default_network_acl", "aws_default_security_group", "aws_network_acl", "aws_network_acl_rule",
    "aws_network_acl_association", "aws_main_route_table_association", "aws_vpc_dhcp_options",
    "aws_vpc_dhcp_options_association", "aws_security_group", "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule", "aws_db_subnet_group",
    "aws_db_parameter_group", "aws_db_option_group", "aws_rds_cluster_parameter_group", "aws_elasticache_subnet_group",
    "aws_elasticache_parameter_group", "aws_elasticache_user", "aws_elasticache_user_group",
    "aws_lb_listener", "aws_lb_listener_rule", "aws_lb_target_group", "aws_lb_target_group_attachment",
    "aws_alb_listener", "aws_alb_listener_rule", "aws_alb_target_group", "aws_alb_target_group_attachment",
    "aws_lb_listener_certificate", "aws_ecs_cluster", "aws_ecs_cluster_capacity_providers",
    "aws_ecs_task_definition", "aws_appautoscaling_target", "aws_appautoscaling_policy",
    "aws_appautoscaling_scheduled_action", "aws_kms_alias", "aws_acm_certificate_validation",
    "aws_route53_record", "aws_wafv2_web_acl_association", "aws_wafv2_web_acl_logging_configuration",
    "aws_secretsmanager_secret_version", "aws_secretsmanager_secret_policy", "aws_ecr_lifecycle_policy",
    "aws_ecr_repository_policy", "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_versioning", "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_acl",
    "aws_s3_bucket_ownership_controls", "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_cors_configuration",
    "aws_s3_bucket_website_configuration", "aws_s3_bucket_logging", "aws_cloudfront_origin_access_identity",
    "aws_cloudfront_origin_access_control", "aws_cloudfront_cache_policy", "aws_cloudfront_response_headers_policy",
    "aws_cloudfront_origin_request_policy", "aws_cloudwatch_log_resource_policy", "aws_cloudwatch_log_stream",
    "aws_vpc_endpoint_route_table_association", "aws_vpc_endpoint_subnet_association", "aws_eip_association",
    "aws_service_discovery_http_namespace", "aws_ssm_parameter", "aws_sns_topic_subscription",
    "aws_db_instance_role_association", "aws_lambda_permission", "aws_s3_bucket_notification",
    "aws_rds_cluster_role_association", "aws_lb_cookie_stickiness_policy",
}
FREE_PREFIXES = ("aws_iam_",)


@dataclass
class Imported:
    environment: str
    data: dict[str, Any]  # the environment, as the sizing model's YAML structure
    origin: dict[str, str] = field(default_factory=dict)  # dotted path -> where the value came from
    warnings: list[str] = field(default_factory=list)
    instances: list[Instance] = field(default_factory=list)
    region: str = DEFAULT_REGION
    region_source: str = ""
    source: str = ""


class _Ctx:
    def __init__(self, tree: Tree, usage: dict[str, Any], out: Imported) -> None:
        self.tree = tree
        self.usage = usage
        self.out = out
        self.warnings = out.warnings

    def of(self, *types: str) -> list[Instance]:
        return [i for i in self.tree.instances if i.type in types and not i.status]

    def mark(self, inst: Instance, status: str, reason: str) -> None:
        inst.status, inst.reason = status, reason

    def safe(self, inst: Instance, fn: Callable[[], None]) -> None:
        """Run one resource's mapping; a value it cannot evaluate makes that resource unresolved, nothing else."""
        try:
            fn()
        except Unresolved as exc:
            self.mark(inst, "unresolved", str(exc))

    def note(self, path: str, text: str) -> None:
        self.out.origin[path] = text

    def preset(self, section: str, *skip: str) -> dict[str, Any]:
        return {k: v for k, v in self.usage.get(section, {}).items() if k not in skip}


def _num(v: Any) -> Decimal:
    try:
        d = Decimal(str(v))
    except ArithmeticError:
        raise Unresolved(f"{v!r} is not a number") from None
    if not d.is_finite():  # Decimal reads "NaN" and "Infinity" (a tfvars value can be either string)
        raise Unresolved(f"{v!r} is not a finite number")
    return d


def _int(v: Any, what: str) -> int:
    try:
        return int(_num(v))
    except Unresolved:
        raise Unresolved(f"{what} = {v!r} is not a number") from None


def _set(inst: Instance, key: str) -> bool:
    """Whether an attribute is given a non-null value, even one known only after apply (a reference)."""
    if inst.body.get(key) in (None, ""):
        return False
    try:
        return inst.attr(key) not in (None, "")  # a plan writes "" for an unset string
    except Unresolved:
        return True


def _same_module(a: Instance, b: Instance) -> bool:
    return a.module == b.module


def _linked(src: Instance, key: str, targets: list[Instance]) -> list[Instance]:
    """The instances of `targets` the attribute `key` of src refers to (by module, type and name)."""
    refs = set(src.refs(key))
    return [t for t in targets if (t.module, t.type, t.name) in refs]


def _pick(src: Instance, cands: list[Instance]) -> Instance | None:
    """Of several instances of a referenced block, the one with src's own count index / key, else the first."""
    if not cands:
        return None
    suffix = src.address[len(src.address.rstrip("]").rsplit("[", 1)[0]):] if src.address.endswith("]") else ""
    for c in cands:
        if suffix and c.address.endswith(suffix):
            return c
    return cands[0]


# ------------------------------------------------------------------------------------------------------ services

def _fargate(ctx: _Ctx) -> None:
    tasks = ctx.of("aws_ecs_task_definition")
    targets = [t for t in ctx.of("aws_appautoscaling_target")]
    services: list[dict[str, Any]] = []
    svc_insts = ctx.of("aws_ecs_service")
    used_names: set[str] = set()
    for svc in svc_insts:
        ctx.safe(svc, partial(_one_service, ctx, svc, tasks, targets, svc_insts, services, used_names))
    for td in tasks:
        if not td.status:
            ctx.mark(td, "free", "no charge of its own; no aws_ecs_service here runs it")
    for t in targets:
        if t.status:
            continue
        try:
            ns = t.attr("service_namespace")
        except Unresolved as exc:
            ctx.mark(t, "unresolved", f"service_namespace: {exc}")
            continue
        if ns == "ecs":
            ctx.mark(t, "free", "no charge of its own; its service could not be matched, so its min/max are not "
                                "in the sizing")
            ctx.warnings.append(f"{t.where}: {t.address}: resource_id names no aws_ecs_service of this Terraform")
        else:
            ctx.mark(t, "free", f"no charge of its own (scales {ns}, not an ECS service)")
    if services:
        ctx.out.data["fargate"] = services


def _task_for(svc: Instance, tasks: list[Instance]) -> Instance | None:
    linked = _linked(svc, "task_definition", tasks)
    if linked:
        return _pick(svc, linked)
    # the task definition given by family name ("family" or "family:revision"), e.g. through a variable
    try:
        ref = svc.attr("task_definition")
    except Unresolved:
        return None
    family = str(ref).split("/")[-1].split(":")[0] if ref else ""
    for td in tasks:
        try:
            if family and td.attr("family") == family:
                return td
        except Unresolved:
            continue
    return None


def _one_service(ctx: _Ctx, svc: Instance, tasks: list[Instance], targets: list[Instance],
                 all_svcs: list[Instance], services: list[dict[str, Any]], used: set[str]) -> None:
    launch = svc.attr("launch_type")
    strategy = svc.blocks("capacity_provider_strategy")
    if launch in ("EC2", "EXTERNAL"):
        ctx.mark(svc, "unsupported", f"launch type {launch}: EC2 capacity is not priced (Fargate only)")
        return
    if not launch and strategy and not any(str(s.get("capacity_provider", "")).startswith("FARGATE")
                                           for s in strategy):
        ctx.mark(svc, "unsupported", "its capacity providers are not Fargate (EC2 capacity is not priced)")
        return
    td = _task_for(svc, tasks)
    if td is None:
        ctx.mark(svc, "unresolved", "its task definition is not in this Terraform (nor found by family)")
        return
    if td.status in ("unresolved", "not-created"):
        ctx.mark(svc, "unresolved", f"its task definition {td.address} is {td.status} ({td.reason})")
        return
    cpu, mem = td.attr("cpu"), td.attr("memory")
    if cpu is None or mem is None:
        ctx.mark(svc, "unresolved", f"{td.address} has no task-level cpu/memory (Fargate needs both)")
        return
    vcpu, mem_gb = _num(cpu) / 1024, _num(mem) / 1024
    if vcpu not in fargate_sizes.VCPU_OPTIONS or not fargate_sizes.is_valid(vcpu, mem_gb):
        ctx.mark(svc, "unresolved", f"cpu {cpu} / memory {mem} is not a Fargate size")
        return
    try:
        name = str(svc.attr("name", svc.name))
    except Unresolved:  # the name is only a label in the sizing
        name = svc.name if svc.module == "" else f"{svc.module.rsplit('.', 1)[-1].split('[')[0]}-{svc.name}"
    base, n = name, 2
    while name in used:
        name, n = f"{base}-{n}", n + 1
    used.add(name)
    desired = _int(svc.attr("desired_count", 0), "desired_count")
    entry: dict[str, Any] = {"name": name, "tasks": {"desired": desired}, "vcpu": vcpu, "memory_gb": mem_gb}
    ctx.note(f"fargate.{name}.vcpu", f"{td.where} cpu = {cpu} CPU units")
    ctx.note(f"fargate.{name}.memory_gb", f"{td.where} memory = {mem} MiB")
    tasks_note = f"{svc.where} desired_count" + ("" if svc.has("desired_count") else " (absent: the provider's 0)")
    for rp in td.blocks("runtime_platform"):
        if str(rp.get("cpu_architecture") or "X86_64").upper() == "ARM64":
            entry["architecture"] = "arm64"
            ctx.note(f"fargate.{name}.architecture", f"{td.where} runtime_platform")
    for es in td.blocks("ephemeral_storage"):
        if es.get("size_in_gib") is not None:
            entry["ephemeral_storage_gb"] = _int(es["size_in_gib"], "size_in_gib")
    if strategy:
        weights = {s.get("capacity_provider"): _num(s.get("weight") or 0) for s in strategy}
        total = sum(weights.values(), Decimal(0))
        if total and weights.get("FARGATE_SPOT"):
            entry["spot_share"] = weights["FARGATE_SPOT"] / total
            entry["interruption_tolerant"] = True
            ctx.note(f"fargate.{name}.spot_share", f"{svc.where} capacity_provider_strategy weights (base tasks not "
                                                   "modelled)")
    for t in targets:
        if not _targets_service(t, svc, name, all_svcs):
            continue
        lo, hi = t.attr("min_capacity"), t.attr("max_capacity")
        if lo is not None:
            lo = _int(lo, "min_capacity")
            if desired < lo:
                entry["tasks"]["desired"] = desired = lo
                tasks_note += f"; raised to min_capacity {lo}"
            entry["tasks"]["min"] = lo
        if hi is not None:
            entry["tasks"]["max"] = max(_int(hi, "max_capacity"), desired)
        tasks_note += f"; min/max from {t.where}"
        ctx.mark(t, "free", f"no charge of its own; sets the task range of {svc.address}")
        # Each target-tracking policy on this target creates two CloudWatch alarms (counted by the pricer).
        policies = [p for p in ctx.of("aws_appautoscaling_policy") if _linked(p, "resource_id", [t])
                    and str(p.attr("policy_type") or "StepScaling") == "TargetTrackingScaling"]
        if policies:
            entry["target_tracking_policies"] = entry.get("target_tracking_policies", 0) + len(policies)
            ctx.note(f"fargate.{name}.target_tracking_policies",
                     ", ".join(f"{p.where} TargetTrackingScaling" for p in policies))
            for p in policies:
                ctx.mark(p, "free", f"no charge of its own; its 2 CloudWatch alarms are counted with {svc.address}")
    ctx.note(f"fargate.{name}.tasks", tasks_note)
    ctx.mark(td, "free", f"no charge of its own; sizes {svc.address}")
    ctx.mark(svc, "priced", f"Fargate {vcpu} vCPU / {mem_gb} GB")
    services.append(entry)


def _targets_service(t: Instance, svc: Instance, name: str, all_svcs: list[Instance]) -> bool:
    if t.status and not t.reason.startswith("no charge"):
        return False
    try:
        if t.attr("service_namespace") != "ecs":
            return False
    except Unresolved:
        return False
    linked = _linked(t, "resource_id", all_svcs)
    if linked:
        # resource_id = "service/${cluster}/${service}": only the aws_ecs_service it names counts (the cluster
        # reference is not a service); with count/for_each, the instance of the same index or key
        return _pick(t, [s for s in linked]) is svc or (svc in linked and len(linked) == 1)
    try:
        rid = t.attr("resource_id")
    except Unresolved:
        rid = None
    if isinstance(rid, str) and rid.startswith("service/"):
        return rid.split("/")[-1] == name
    same = [s for s in all_svcs if _same_module(s, t)]
    return same == [svc]


def _rds(ctx: _Ctx) -> None:
    dbs = ctx.of("aws_db_instance")
    primaries: list[Instance] = []
    replicas: list[Instance] = []
    for db in dbs:
        if _set(db, "replicate_source_db"):  # usually another instance's id: unknown, but clearly set
            replicas.append(db)
            continue
        try:
            engine = str(db.attr("engine", ""))
        except Unresolved as exc:
            ctx.mark(db, "unresolved", str(exc))
            continue
        if engine != "postgres":
            ctx.mark(db, "unsupported", f"engine {engine or '(none)'}: only RDS PostgreSQL is priced")
            continue
        primaries.append(db)
    if not primaries:
        for r in replicas:
            ctx.mark(r, "unsupported", "a read replica of a database this import does not price")
        return
    db = primaries[0]
    for other in primaries[1:]:
        ctx.mark(other, "unsupported", f"the sizing holds one RDS PostgreSQL primary per environment ({db.address} "
                                       "is priced)")
    ctx.safe(db, lambda: _one_db(ctx, db, replicas, dbs))


def _one_db(ctx: _Ctx, db: Instance, replicas: list[Instance], dbs: list[Instance]) -> None:
    cls, gb = db.attr("instance_class"), db.attr("allocated_storage")
    if cls is None or gb is None:
        missing = ", ".join(k for k, v in (("instance_class", cls), ("allocated_storage", gb)) if v is None)
        ctx.mark(db, "unresolved", f"{missing} not set")
        return
    rds: dict[str, Any] = {"instance_class": str(cls), "multi_az": bool(db.attr("multi_az", False)),
                           "storage_type": db.attr("storage_type"), "allocated_gb": _num(gb)}
    if rds["storage_type"] is None:
        ctx.note("rds.storage_type", f"{db.where} storage_type is null: the engine's default (gp2; io1 with iops)")
    for key, tf in (("iops", "iops"), ("throughput_mibps", "storage_throughput")):
        v = db.attr(tf)
        if v is not None and _int(v, tf) > 0:
            rds[key] = _int(v, tf)
    if db.attr("performance_insights_enabled", False):
        days = _int(db.attr("performance_insights_retention_period", 7), "performance_insights_retention_period")
        rds["performance_insights_retention_months"] = 0 if days <= 7 else max(1, round(days / 31))
    interval = _int(db.attr("monitoring_interval", 0), "monitoring_interval")
    rds["enhanced_monitoring_interval_s"] = interval
    mine = [r for r in replicas if (db.module, "aws_db_instance", db.name) in r.refs("replicate_source_db")
            or len([p for p in dbs if p not in replicas]) == 1]
    if mine:
        rds["read_replicas"] = len(mine)
        ctx.note("rds.read_replicas", ", ".join(r.where for r in mine))
        for r in mine:
            ctx.mark(r, "priced", f"read replica of {db.address}")
    for r in replicas:
        if not r.status:
            ctx.mark(r, "unsupported", "a read replica of a database this import does not price")
    usage = ctx.usage.get("rds", {})
    if "backup_storage_gb" in usage:
        rds["backup_storage_gb"] = usage["backup_storage_gb"]
        ctx.note("rds.backup_storage_gb", PRESET_NOTE)
    if interval:
        rds["enhanced_monitoring_gb"] = usage.get("enhanced_monitoring_gb", 0)
        ctx.note("rds.enhanced_monitoring_gb", PRESET_NOTE)
    if db.attr("enabled_cloudwatch_logs_exports"):
        rds["exported_logs_gb"] = usage.get("exported_logs_gb", 0)
        ctx.note("rds.exported_logs_gb", PRESET_NOTE)
    pgs = ctx.of("aws_db_parameter_group")
    linked = _linked(db, "parameter_group_name", pgs)
    for pg in linked or (pgs if len(pgs) == 1 and not db.has("parameter_group_name") else []):
        for p in pg.blocks("parameter"):
            if p.get("name") == "log_statement" and p.get("value") in ("none", "ddl", "mod", "all"):
                rds["log_statement"] = p.get("value")
                ctx.note("rds.log_statement", f"{pg.where} parameter log_statement")
    for key in ("instance_class", "multi_az", "allocated_gb", "enhanced_monitoring_interval_s"):
        ctx.out.origin.setdefault(f"rds.{key}", db.where)
    ctx.out.data["rds"] = rds
    ctx.mark(db, "priced", f"RDS PostgreSQL {cls}")


def _aurora(ctx: _Ctx) -> None:
    clusters = ctx.of("aws_rds_cluster")
    members = ctx.of("aws_rds_cluster_instance")
    chosen: Instance | None = None
    for c in clusters:
        try:
            engine = str(c.attr("engine", "aurora"))
            mode = str(c.attr("engine_mode", "provisioned"))
        except Unresolved as exc:
            ctx.mark(c, "unresolved", str(exc))
            continue
        if engine not in ("aurora", "aurora-mysql", "aurora-postgresql"):
            ctx.mark(c, "unsupported", f"engine {engine}: Multi-AZ DB clusters are not priced")
        elif mode != "provisioned":
            ctx.mark(c, "unsupported", f"engine_mode {mode} (Aurora Serverless v1 and others) is not priced")
        elif chosen is not None:
            ctx.mark(c, "unsupported", f"the sizing holds one Aurora cluster per environment ({chosen.address} is "
                                       "priced)")
        else:
            chosen = c
    for m in members:
        target = _linked(m, "cluster_identifier", clusters)
        owner = target[0] if target else (clusters[0] if len(clusters) == 1 and _same_module(m, clusters[0])
                                          else None)
        if owner is None:
            ctx.mark(m, "unresolved", "its cluster is not in this Terraform")
        elif owner is not chosen and owner.status:
            ctx.mark(m, owner.status, f"an instance of {owner.address} ({owner.reason})")
    if chosen is not None:
        c = chosen
        ctx.safe(c, lambda: _one_cluster(ctx, c, [m for m in members if not m.status]))


def _one_cluster(ctx: _Ctx, c: Instance, members: list[Instance]) -> None:
    engine = str(c.attr("engine", "aurora"))
    engine = "aurora-mysql" if engine == "aurora" else engine
    classes: dict[str, int] = {}
    for m in members:
        try:
            cls = str(m.attr("instance_class"))
        except Unresolved as exc:
            ctx.mark(m, "unresolved", f"instance_class: {exc}")
            continue
        classes[cls] = classes.get(cls, 0) + 1
        ctx.mark(m, "priced", f"an instance of {c.address} ({cls})")
    if not classes:
        ctx.mark(c, "unresolved", "no aws_rds_cluster_instance of this cluster could be read")
        return
    aurora: dict[str, Any] = {"engine": engine,
                              "storage": "io-optimized" if c.attr("storage_type") == "aurora-iopt1" else "standard",
                              "instances": [{"instance_class": k, "count": v} for k, v in classes.items()]}
    ctx.note("aurora.engine", c.where)
    scaling = c.blocks("serverlessv2_scaling_configuration")
    if scaling:
        lo, hi = _num(scaling[0].get("min_capacity") or "0.5"), _num(scaling[0].get("max_capacity") or 16)
        aurora["min_acu"], aurora["max_acu"] = lo, hi
        ctx.note("aurora.min_acu", f"{c.where} serverlessv2_scaling_configuration")
    if "db.serverless" in classes:
        aurora["acu"] = aurora.get("min_acu", Decimal("0.5"))
        ctx.note("aurora.acu", "assumption: the configured minimum ACUs (the floor of what Serverless v2 bills); "
                               "set your average")
    for key in ("storage_gb", "io_requests_millions"):
        aurora[key] = 0
        ctx.note(f"aurora.{key}", NOT_IN_PRESET)
    ctx.warnings.append(f"{c.where}: {c.address}: Aurora storage and I/O are not in the code nor the preset; "
                        "the YAML has 0: set them")
    ctx.out.data["aurora"] = aurora
    ctx.mark(c, "priced", f"Aurora {engine}")


def _elasticache(ctx: _Ctx) -> None:
    groups = ctx.of("aws_elasticache_replication_group")
    clusters = ctx.of("aws_elasticache_cluster")
    node_type: str | None = None
    nodes = 0
    engine = "redis"
    wheres: list[str] = []

    def add(inst: Instance, ntype: Any, n: int, eng: str) -> None:
        nonlocal node_type, nodes, engine
        if node_type is None:
            node_type, engine = str(ntype), eng
        elif str(ntype) != node_type or eng != engine:
            ctx.mark(inst, "unsupported", f"the sizing holds one ElastiCache node type per environment ({node_type} "
                                          "is priced)")
            return
        nodes += n
        wheres.append(inst.where)
        ctx.mark(inst, "priced", f"ElastiCache {n} × {ntype}")

    for rg in groups:
        def one(rg: Instance = rg) -> None:
            eng = str(rg.attr("engine", "redis"))
            if eng not in ("redis", "valkey"):
                ctx.mark(rg, "unsupported", f"engine {eng} is not priced")
                return
            n = rg.attr("num_cache_clusters", rg.attr("number_cache_clusters"))
            if n is None and rg.attr("num_node_groups") is not None:
                n = _int(rg.attr("num_node_groups"), "num_node_groups") * (
                    1 + _int(rg.attr("replicas_per_node_group", 0), "replicas_per_node_group"))
            for cm in rg.blocks("cluster_mode"):
                if n is None:
                    n = _int(cm.get("num_node_groups", 1), "num_node_groups") * (
                        1 + _int(cm.get("replicas_per_node_group", 0), "replicas_per_node_group"))
            if rg.attr("node_type") is None:
                raise Unresolved("node_type not set")
            add(rg, rg.attr("node_type"), _int(n if n is not None else 1, "num_cache_clusters"), eng)
        ctx.safe(rg, one)
    for cl in clusters:
        def one_cl(cl: Instance = cl) -> None:
            if _set(cl, "replication_group_id"):
                ctx.mark(cl, "priced", "a node of its replication group (counted there)")
                return
            eng = str(cl.attr("engine", "redis"))
            if eng not in ("redis", "valkey"):
                ctx.mark(cl, "unsupported", f"engine {eng} is not priced (Redis/Valkey only)")
                return
            if cl.attr("node_type") is None:
                raise Unresolved("node_type not set")
            add(cl, cl.attr("node_type"), _int(cl.attr("num_cache_nodes", 1), "num_cache_nodes"), eng)
        ctx.safe(cl, one_cl)
    if node_type is not None and nodes > 0:
        ctx.out.data["elasticache"] = {"engine": engine, "node_type": node_type, "nodes": nodes}
        ctx.note("elasticache", ", ".join(wheres))
    serverless = ctx.of("aws_elasticache_serverless_cache")
    for sc in serverless:
        def one_sc(sc: Instance = sc) -> None:
            eng = str(sc.attr("engine"))
            if eng not in ("redis", "valkey"):
                ctx.mark(sc, "unsupported", f"engine {eng} is not priced")
                return
            if "elasticache_serverless" in ctx.out.data:
                ctx.mark(sc, "unsupported", "the sizing holds one serverless cache per environment")
                return
            ctx.out.data["elasticache_serverless"] = {"engine": eng, "data_stored_gb": 1, "ecpu_millions": 0}
            ctx.note("elasticache_serverless.engine", sc.where)
            ctx.note("elasticache_serverless.data_stored_gb", "assumption: the 1 GB AWS bills at least; set yours")
            ctx.note("elasticache_serverless.ecpu_millions", NOT_IN_PRESET)
            ctx.mark(sc, "priced", f"ElastiCache Serverless ({eng})")
        ctx.safe(sc, one_sc)


def _network(ctx: _Ctx) -> None:
    nats = ctx.of("aws_nat_gateway")
    eips = ctx.of("aws_eip")
    if nats:
        for n in nats:
            e = _pick(n, _linked(n, "allocation_id", eips))
            if e is not None:
                ctx.mark(e, "priced", f"the public IPv4 of {n.address} (priced with the NAT Gateway)")
            ctx.mark(n, "priced", "NAT Gateway hours and GB processed")
        ctx.out.data["nat"] = {"gateways": len(nats), **ctx.preset("nat", "gateways")}
        ctx.note("nat.gateways", ", ".join(sorted({n.where for n in nats})) + f" ({len(nats)} instances)")
        for k in ctx.preset("nat", "gateways"):
            ctx.note(f"nat.{k}", PRESET_NOTE)
    extra = 0
    for e in eips:
        if e.status:
            continue
        extra += 1
        ctx.mark(e, "priced", "a public IPv4 address (other.extra_public_ipv4)")
    if extra:
        ctx.out.data.setdefault("other", {})["extra_public_ipv4"] = extra
        ctx.note("other.extra_public_ipv4", "aws_eip not attached to a NAT Gateway")
    albs: list[Instance] = []
    nlbs: list[Instance] = []
    for lb in ctx.of("aws_lb", "aws_alb"):
        try:
            kind = str(lb.attr("load_balancer_type", "application"))
        except Unresolved as exc:
            ctx.mark(lb, "unresolved", str(exc))
            continue
        if kind == "application":
            albs.append(lb)
        elif kind == "network":
            nlbs.append(lb)
        else:
            ctx.mark(lb, "unsupported", f"a {kind} load balancer is not priced")
    for kind, lbs in (("alb", albs), ("nlb", nlbs)):
        if not lbs:
            continue
        first = lbs[0]
        try:
            internal = bool(first.attr("internal", False))
            ctx.note(f"{kind}.internet_facing", f"{first.where} internal = {str(internal).lower()}"
                     + ("" if first.has("internal") else " (the provider's default)"))
        except Unresolved:
            internal = kind == "nlb"
            ctx.note(f"{kind}.internet_facing", f"assumption: {first.where} internal unresolved")
        azs, az_note = 2, "assumption: its subnets are not known before apply; 2 AZs"
        try:
            subnets = first.attr("subnets")
            mappings = first.blocks("subnet_mapping")
            if isinstance(subnets, list) and subnets:
                azs, az_note = len(subnets), f"{first.where} subnets"
            elif mappings:
                azs, az_note = len(mappings), f"{first.where} subnet_mapping"
        except Unresolved:
            pass
        if kind == "alb" and azs < 2:
            ctx.warnings.append(f"{first.where}: an ALB needs subnets in at least two AZs; 2 assumed")
            azs, az_note = 2, "an ALB needs two AZs"
        section: dict[str, Any] = {"load_balancers": len(lbs), "availability_zones": azs,
                                   "internet_facing": not internal}
        if kind == "alb":
            section.update(ctx.preset("alb", "load_balancers", "availability_zones", "internet_facing"))
            for k in ctx.preset("alb", "load_balancers", "availability_zones", "internet_facing"):
                ctx.note(f"alb.{k}", PRESET_NOTE)
        else:
            for k in ("new_connections_per_s", "active_connections_per_min", "processed_gb_per_h"):
                section[k] = 0
                ctx.note(f"nlb.{k}", NOT_IN_PRESET)
            ctx.warnings.append(f"{first.where}: NLB traffic is not in the code nor the preset: set it in the YAML")
        ctx.out.data[kind] = section
        ctx.note(f"{kind}.load_balancers", ", ".join(sorted({lb.where for lb in lbs})))
        ctx.note(f"{kind}.availability_zones", az_note)
        for lb in lbs:
            ctx.mark(lb, "priced", "Application Load Balancer" if kind == "alb" else "Network Load Balancer")
    endpoints = ctx.of("aws_vpc_endpoint")
    interface: list[Instance] = []
    for ep in endpoints:
        try:
            kind = str(ep.attr("vpc_endpoint_type", "Gateway"))
        except Unresolved as exc:
            ctx.mark(ep, "unresolved", str(exc))
            continue
        if kind == "Gateway":
            ctx.mark(ep, "free", "gateway endpoints (S3, DynamoDB) have no charge")
        elif kind == "Interface":
            interface.append(ep)
        else:
            ctx.mark(ep, "unsupported", f"{kind} endpoints are not priced")
    if interface:
        azs, note = 2, "assumption: subnet_ids not known before apply; 2 AZs"
        try:
            ids = interface[0].attr("subnet_ids")
            if isinstance(ids, list) and ids:
                azs, note = len(ids), f"{interface[0].where} subnet_ids"
        except Unresolved:
            pass
        ctx.out.data["vpc_endpoints"] = {"interface_endpoints": len(interface), "availability_zones": azs,
                                         "data_processed_gb": 0}
        ctx.note("vpc_endpoints.interface_endpoints", ", ".join(sorted({e.where for e in interface})))
        ctx.note("vpc_endpoints.availability_zones", note)
        ctx.note("vpc_endpoints.data_processed_gb", NOT_IN_PRESET)
        for ep in interface:
            ctx.mark(ep, "priced", "interface endpoint hours per AZ and GB processed")


def _edges(ctx: _Ctx) -> None:
    cfs = ctx.of("aws_cloudfront_distribution")
    if cfs:
        classes = set()
        for cf in cfs:
            try:
                classes.add(str(cf.attr("price_class", "PriceClass_All")))
            except Unresolved:
                classes.add("unresolved")
        if classes & {"PriceClass_100", "PriceClass_200"}:
            ctx.warnings.append(f"{cfs[0].where}: price class {', '.join(sorted(classes))} leaves out some edge "
                                "locations (PriceClass_100: all of Asia); viewers there are served and billed at "
                                "the nearest included edge, which the preset's edge group does not model: check "
                                "cloudfront.edge_group")
        if "cloudfront" in ctx.usage:
            ctx.out.data["cloudfront"] = ctx.usage["cloudfront"]
            ctx.note("cloudfront", f"{cfs[0].where} price class {', '.join(sorted(classes))} ({len(cfs)} "
                                   f"distribution(s); traffic and viewers' edge group: {PRESET_NOTE})")
            for cf in cfs:
                ctx.mark(cf, "priced", "CloudFront (traffic from the preset)")
        else:
            for cf in cfs:
                ctx.mark(cf, "unsupported", f"the preset has no CloudFront traffic for {ctx.out.environment}")
    buckets = ctx.of("aws_s3_bucket")
    if buckets and "s3" in ctx.usage:
        ctx.out.data["s3"] = ctx.usage["s3"]
        ctx.note("s3", f"{len(buckets)} aws_s3_bucket (storage and requests: {PRESET_NOTE})")
        for b in buckets:
            ctx.mark(b, "priced", "S3 (storage and requests from the preset)")
    for b in buckets:
        if not b.status:
            ctx.mark(b, "unsupported", f"the preset has no S3 usage for {ctx.out.environment}")


def _monitoring(ctx: _Ctx) -> None:
    cw: dict[str, Any] = {}
    groups = ctx.of("aws_cloudwatch_log_group")
    if groups:
        retention = set()
        for g in groups:
            try:
                retention.add(str(g.attr("retention_in_days", 0) or "never expire"))
            except Unresolved:
                retention.add("unresolved")
            ctx.mark(g, "priced", "CloudWatch Logs ingestion and storage")
        for k in ("logs_ingested_gb", "logs_stored_gb"):
            if k in ctx.usage.get("cloudwatch", {}):
                cw[k] = ctx.usage["cloudwatch"][k]
                ctx.note(f"cloudwatch.{k}", PRESET_NOTE)
        ctx.note("cloudwatch.logs_ingested_gb", f"{len(groups)} aws_cloudwatch_log_group, retention "
                                                f"{', '.join(sorted(retention))} days; GB: {PRESET_NOTE}")
    alarms = ctx.of("aws_cloudwatch_metric_alarm")
    for a in alarms:
        ctx.mark(a, "priced", "CloudWatch alarm")
    dashboards = ctx.of("aws_cloudwatch_dashboard")
    for d in dashboards:
        ctx.mark(d, "priced", "CloudWatch dashboard")
    insights = []
    for cluster in ctx.of("aws_ecs_cluster"):
        try:
            on = any(s.get("name") == "containerInsights" and s.get("value") in ("enabled", "enhanced")
                     for s in cluster.blocks("setting"))
        except Unresolved as exc:
            ctx.mark(cluster, "unresolved", f"setting: {exc}")
            continue
        if on:
            insights.append(cluster)
            ctx.mark(cluster, "priced", "Container Insights metrics and logs")
        else:
            ctx.mark(cluster, "free", "no charge of its own (Container Insights off)")
    if alarms:
        cw["alarms"] = len(alarms)
        ctx.note("cloudwatch.alarms", f"{len(alarms)} aws_cloudwatch_metric_alarm")
    if dashboards:
        cw["dashboards"] = len(dashboards)
        ctx.note("cloudwatch.dashboards", f"{len(dashboards)} aws_cloudwatch_dashboard")
    if insights:
        cw["container_insights"] = True
        for k in ("container_insights_metrics", "container_insights_logs_gb"):
            if k in ctx.usage.get("cloudwatch", {}):
                cw[k] = ctx.usage["cloudwatch"][k]
                ctx.note(f"cloudwatch.{k}", PRESET_NOTE)
        ctx.note("cloudwatch.container_insights", f"{insights[0].where} setting containerInsights (metrics and "
                                                  f"logs: {PRESET_NOTE})")
    if cw:
        ctx.out.data["cloudwatch"] = cw


def _other(ctx: _Ctx) -> None:
    other: dict[str, Any] = ctx.out.data.setdefault("other", {})
    pre = ctx.usage.get("other", {})
    secrets = ctx.of("aws_secretsmanager_secret")
    if secrets:
        other["secrets"] = len(secrets)
        ctx.note("other.secrets", f"{len(secrets)} aws_secretsmanager_secret")
        if "secrets_api_requests" in pre:
            other["secrets_api_requests"] = pre["secrets_api_requests"]
            ctx.note("other.secrets_api_requests", PRESET_NOTE)
        for s in secrets:
            ctx.mark(s, "priced", "Secrets Manager secret")
    acls = ctx.of("aws_wafv2_web_acl")
    rules = 0
    counted = []
    for acl in acls:
        try:
            rules += len(acl.blocks("rule"))
        except Unresolved as exc:
            ctx.mark(acl, "unresolved", f"rule: {exc}")
            continue
        counted.append(acl)
        ctx.mark(acl, "priced", "WAF web ACL, its rules and requests")
    if counted:
        other["waf"] = {"web_acls": len(counted), "rules": rules,
                        "requests": pre.get("waf", {}).get("requests", 0)}
        ctx.note("other.waf", f"{len(counted)} aws_wafv2_web_acl, {rules} rule blocks (requests: {PRESET_NOTE})")
    zones = ctx.of("aws_route53_zone")
    if zones:
        other["route53"] = {"hosted_zones": len(zones), "queries": pre.get("route53", {}).get("queries", 0)}
        ctx.note("other.route53", f"{len(zones)} aws_route53_zone (queries: {PRESET_NOTE})")
        for z in zones:
            ctx.mark(z, "priced", "Route 53 hosted zone and queries")
    repos = ctx.of("aws_ecr_repository")
    if repos:
        other["ecr_storage_gb"] = pre.get("ecr_storage_gb", 0)
        ctx.note("other.ecr_storage_gb", f"{len(repos)} aws_ecr_repository (GB: {PRESET_NOTE})")
        for r in repos:
            ctx.mark(r, "priced", "ECR storage")
    if any(k in ctx.out.data for k in ("fargate", "alb", "nlb")):
        for k in ("inter_az_gb", "internet_out_gb"):
            if k in pre:
                other[k] = pre[k]
                ctx.note(f"other.{k}", PRESET_NOTE)
    if not other:
        del ctx.out.data["other"]
    keys = ctx.of("aws_kms_key")
    if keys:
        ctx.out.data["kms"] = {"keys": len(keys), "requests": 0}
        ctx.note("kms.keys", f"{len(keys)} aws_kms_key")
        ctx.note("kms.requests", NOT_IN_PRESET)
        for key in keys:
            ctx.mark(key, "priced", "KMS customer managed key")
    certs = ctx.of("aws_acm_certificate")
    public = 0
    for c in certs:
        if _set(c, "certificate_authority_arn"):
            ctx.mark(c, "unsupported", "a private CA certificate is not priced")
        else:
            public += 1
            ctx.mark(c, "free", "public ACM certificates have no charge")
    if public:
        ctx.out.data["acm"] = {"public_certificates": public}
        ctx.note("acm.public_certificates", f"{public} aws_acm_certificate")


def _rest(ctx: _Ctx) -> None:
    for inst in ctx.tree.instances:
        if inst.status:
            continue
        if not inst.type.startswith("aws_"):
            ctx.mark(inst, "free", "not an AWS resource")
        elif inst.type in FREE_TYPES or inst.type.startswith(FREE_PREFIXES):
            ctx.mark(inst, "free", "no charge of its own")
        else:
            ctx.mark(inst, "unsupported", "may cost; stackcost does not price this type")


# ------------------------------------------------------------------------------------------------------ region

def _region(tree: Tree, given: str | None, out: Imported) -> None:
    code_region: str | None = None
    source = ""
    for where, body, scope, _mod in tree.providers:
        if "alias" in body:
            continue
        if "region" not in body:
            source = f"the provider block at {where} sets no region"
            continue
        raw = str(body["region"])
        try:
            found = known(value(body["region"], scope))
            if not isinstance(found, str) or not found:
                raise Unresolved(f"region = {found!r}")
            code_region = found
            kind = "literal" if "${" not in raw else raw.strip('"${}')
            source = f"provider block {where} ({kind})"
        except Unresolved as exc:
            source = f"provider block {where}: {exc}"
        break
    if given:
        out.region, out.region_source = given, "--region"
        if code_region and code_region != given:
            out.warnings.append(f"--region {given} overrides the code's {code_region} ({source})")
        return
    if code_region:
        out.region, out.region_source = code_region, source
        return
    out.region = DEFAULT_REGION
    out.region_source = f"assumed {DEFAULT_REGION}: " + (source or "no aws provider block with a region")
    out.warnings.append(f"region unknown ({source or 'no aws provider block'}); {DEFAULT_REGION} assumed: give "
                        "--region or the variable")


# ------------------------------------------------------------------------------------------------------ entry points

_SECTIONS = (("Fargate", "fargate"), ("RDS PostgreSQL", "rds"), ("read replica of", "rds"),
             ("Aurora", "aurora"), ("an instance of", "aurora"), ("ElastiCache Serverless", "elasticache_serverless"),
             ("ElastiCache", "elasticache"), ("a node of its replication group", "elasticache"),
             ("NAT Gateway", "nat"), ("the public IPv4 of", "nat"), ("a public IPv4 address", "other"),
             ("Application Load Balancer", "alb"), ("Network Load Balancer", "nlb"),
             ("interface endpoint", "vpc_endpoints"), ("CloudFront", "cloudfront"), ("S3", "s3"),
             ("CloudWatch", "cloudwatch"), ("Container Insights", "cloudwatch"), ("KMS", "kms"),
             ("Secrets Manager", "other"), ("WAF", "other"), ("Route 53", "other"), ("ECR", "other"))


def _section_of(reason: str) -> str | None:
    return next((sec for prefix, sec in _SECTIONS if reason.startswith(prefix)), None)


def _validate(out: Imported) -> None:
    """A value the sizing model refuses (an odd size, a range the code got wrong) takes out that section and
    makes its resources unresolved with the model's message, never the whole import."""
    from pydantic import ValidationError

    from stackcost.sizing.model import Environment

    for _ in range(len(out.data) + 1):
        try:
            Environment.model_validate(out.data)
            return
        except ValidationError as exc:
            err = exc.errors()[0]
            section = str(err["loc"][0]) if err["loc"] else ""
            msg = f"the sizing model refuses {'.'.join(str(x) for x in err['loc'])}: {err['msg']}"
            if section not in out.data or section == "hours_per_month":
                raise
            del out.data[section]
            out.warnings.append(msg)
            for inst in out.instances:
                if inst.status == "priced" and _section_of(inst.reason) == section:
                    inst.status, inst.reason = "unresolved", msg


def build(tree: Tree, env_name: str, region: str | None, source: str) -> Imported:
    preset = parse_stack(preset_text()).environments
    base = preset.get(env_name) or preset["production"]
    usage = base.model_dump(exclude_none=True)
    out = Imported(env_name, {"hours_per_month": 730}, warnings=tree.warnings, instances=tree.instances,
                   source=source)
    _region(tree, region, out)
    ctx = _Ctx(tree, usage, out)
    for step in (_fargate, _rds, _aurora, _elasticache, _network, _edges, _monitoring, _other, _rest):
        step(ctx)
    _validate(out)
    for inst in tree.instances:
        if inst.status == "unresolved":
            out.warnings.append(f"{inst.where}: {inst.address}: unresolved: {inst.reason}")
    return out


def import_terraform(directory: Path, var_files: list[Path], environment: str | None = None,
                     region: str | None = None, workspace: str | None = None,
                     finder: ModuleFinder | None = None) -> Imported:
    inputs: dict[str, Any] = {}
    for auto in sorted([*directory.glob("terraform.tfvars"), *directory.glob("*.auto.tfvars")]):
        inputs.update(read_var_file(auto))  # Terraform loads these by itself
    for vf in var_files:
        inputs.update(read_var_file(vf))
    ws = workspace or os.environ.get("TF_WORKSPACE") or "default"
    env_name = environment or (str(inputs["environment"]) if isinstance(inputs.get("environment"), str) else None) \
        or (ws if ws != "default" else None) or "production"
    if environment and "environment" not in inputs:
        inputs["environment"] = environment
    tree = walk(directory, inputs, ws, finder)
    label = f"{directory}" + "".join(f" --var-file {v}" for v in var_files) + (f" --workspace {ws}" if workspace
                                                                                else "")
    return build(tree, env_name, region, label)


__all__ = ["Imported", "Scope", "build", "import_terraform"]
