"""`cost diff BASE HEAD`: load both sides, estimate every environment on each, pair them; and the policy gate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from stackcost.diff.core import Change, Diff, DiffError, EnvironmentDiff, compare_environment
from stackcost.diff.sources import Side, load_side

if TYPE_CHECKING:
    from stackcost.catalog import Catalog

# Terraform resource types -> the service whose lines price them. A resource added or removed in the Terraform
# while no line of its service changed is listed as NOT PRICED, never silently left out.
SERVICE_OF_TYPE = {
    "aws_ecs_service": "ECS Fargate", "aws_ecs_task_definition": "ECS Fargate",
    "aws_db_instance": "RDS PostgreSQL", "aws_rds_cluster": "Aurora", "aws_rds_cluster_instance": "Aurora",
    "aws_elasticache_replication_group": "ElastiCache", "aws_elasticache_cluster": "ElastiCache",
    "aws_elasticache_serverless_cache": "ElastiCache Serverless", "aws_nat_gateway": "NAT Gateway",
    "aws_lb": "ALB", "aws_alb": "ALB", "aws_cloudfront_distribution": "CloudFront", "aws_s3_bucket": "S3",
    "aws_cloudwatch_metric_alarm": "CloudWatch", "aws_cloudwatch_dashboard": "CloudWatch",
    "aws_kms_key": "KMS", "aws_secretsmanager_secret": "Secrets Manager", "aws_wafv2_web_acl": "WAF",
    "aws_route53_zone": "Route 53", "aws_ecr_repository": "ECR", "aws_eip": "VPC",
}
# Types AWS does not charge for by themselves (their cost, if any, is in the resource they configure).
NO_CHARGE_PREFIXES = (
    "aws_security_group", "aws_vpc_security_group_", "aws_iam_", "aws_route_table", "aws_route",
    "aws_subnet", "aws_internet_gateway", "aws_db_subnet_group", "aws_db_parameter_group",
    "aws_rds_cluster_parameter_group", "aws_elasticache_subnet_group", "aws_elasticache_parameter_group",
    "aws_lb_listener", "aws_lb_target_group", "aws_alb_listener", "aws_alb_target_group", "aws_ecs_cluster",
    "aws_appautoscaling_", "aws_s3_bucket_", "aws_cloudwatch_log_group", "aws_sns_topic", "aws_network_acl",
    "aws_default_", "aws_key_pair", "aws_kms_alias", "aws_acm_certificate", "aws_ssm_parameter",
)


def _no_charge(rtype: str) -> bool:
    if rtype == "aws_vpc":
        return True
    return rtype not in SERVICE_OF_TYPE and rtype.startswith(NO_CHARGE_PREFIXES)


def unpriced_resources(d: EnvironmentDiff, base: Side, head: Side) -> list[Change]:
    """Resources added/removed in the Terraform that no changed line of their service accounts for."""
    before, after = base.terraform or {}, head.terraform or {}
    touched = {c.service for c in d.changes if not c.unpriced}
    out = []
    for status, addrs, types in (("added", [a for a in after if a not in before], after),
                                 ("removed", [a for a in before if a not in after], before)):
        for addr in addrs:
            rtype = types[addr]
            service = SERVICE_OF_TYPE.get(rtype)
            if _no_charge(rtype) or (service is not None and service in touched):
                continue
            why = f"no {service} line in the estimate" if service else f"stackcost has no pricing for {rtype}"
            out.append(Change(f"terraform:{addr}", service or "Terraform", addr,
                              status, unpriced=f"NOT PRICED: {why}"))  # type: ignore[arg-type]
    return out


def _notes(base: Side, head: Side) -> list[str]:
    """Importer warnings that only one side has (the ones both share say nothing about the change)."""
    def bare(side: Side) -> list[str]:
        return [n.removeprefix(f"{side.label}: ") for n in side.notes]

    b, h = bare(base), bare(head)
    return [f"{base.label}: {n}" for n in b if n not in h] + [f"{head.label}: {n}" for n in h if n not in b]


def run_diff(base_spec: str, head_spec: str, *, env: str = "all", path: str | None = None,
             var_files: list[str] | None = None, repo: Path | None = None, commitments: bool = True) -> Diff:
    from stackcost.catalog import Catalog

    repo = repo or Path.cwd()
    sel = None if env == "all" else env
    base = load_side(base_spec, path=path, var_files=list(var_files or []), env=sel, repo=repo)
    head = load_side(head_spec, path=path, var_files=list(var_files or []), env=sel, repo=repo)
    if base.missing and head.missing:
        raise DiffError(f"--path {path}: exists neither in {base.label} nor in {head.label}")
    names = [*base.stacks, *(n for n in head.stacks if n not in base.stacks)]
    if not names:
        what = f"environment {sel!r}" if sel else "any environment"
        raise DiffError(f"neither {base.label} nor {head.label} has {what}")
    catalogs: dict[str, Catalog] = {}

    def catalog(region: str) -> Catalog:
        if region not in catalogs:
            catalogs[region] = Catalog.load(region)
        return catalogs[region]

    envs = []
    for name in names:
        sb, sh = base.stacks.get(name), head.stacks.get(name)
        cb = catalog(sb.region) if sb else catalog(sh.region)  # type: ignore[union-attr]
        ch = catalog(sh.region) if sh else cb
        ed = compare_environment(name, sb, sh, cb, ch, commitments=commitments, labels=(base.label, head.label))
        if base.terraform is not None or head.terraform is not None:
            ed.changes += unpriced_resources(ed, base, head)
        envs.append(ed)
    last = next(iter(catalogs.values()))
    lo, hi = last.published_range()
    region = next((s.region for s in [*head.stacks.values(), *base.stacks.values()]), "")
    d = Diff(base.label, head.label, envs, region=region, published_min=lo, published_max=hi,
             notes=_notes(base, head))
    if base.terraform is not None or head.terraform is not None:
        d.assumptions.append("Terraform gives the resources; usage it cannot know (GB, requests, connections) is "
                             "the importer's assumption (`cost import terraform` writes each value with its source)")
    return d


# -- policy gate ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Gate:
    limit: Decimal
    percent: bool
    text: str

    def exceeded(self, d: Diff) -> bool:
        if self.percent:
            if not d.before_usd:
                return d.delta_usd > 0  # from nothing to something: any increase is above any percentage
            return d.delta_usd / d.before_usd * 100 > self.limit
        return d.delta_usd > self.limit

    def message(self, d: Diff) -> str:
        pct = d.delta_pct
        inc = f"${d.delta_usd:,.2f}" + (f" ({pct}%)" if pct is not None else "")
        return f"the monthly increase {inc} is above --fail-above {self.text}"


def parse_gate(text: str) -> Gate:
    """`50`, `50.00`, `$50` (USD per month, all environments together) or `10%` (of the monthly total before)."""
    raw = text.strip()
    percent = raw.endswith("%")
    number = raw.removesuffix("%").removeprefix("$").replace(",", "").strip()
    try:
        limit = Decimal(number)
    except InvalidOperation:
        raise DiffError(f"--fail-above {text!r}: expected USD (e.g. 50) or a percentage (e.g. 10%)") from None
    if not limit.is_finite() or limit < 0:
        raise DiffError(f"--fail-above {text!r}: must be a number >= 0")
    return Gate(limit, percent, raw)
