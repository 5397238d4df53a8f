"""Options that change the sizing rather than the way of paying: Spot, Graviton/ARM, Valkey, gp3, schedules,
NAT and S3 endpoint, public IPv4, CloudFront plans, logging.

Each one is priced by estimating the changed environment with the same engine as `cost estimate`, so an option
can never disagree with the estimate; only the services whose cost moves are compared.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from stackcost.catalog import Catalog
from stackcost.estimate import EstimateError, cents, environment_components
from stackcost.optimize.options import Option, priced, unavailable
from stackcost.services import cloudfront, elasticache, fargate, rds
from stackcost.services.base import n, resolve
from stackcost.sizing.model import Band, Environment, FargateService

# A change paired with the environment it leads to (None: a saving outside the sizing model, e.g. a CloudFront
# flat-rate plan, which the plan adds as an adjustment).
Alternative = tuple[Option, Environment | None]
Generator = Callable[[str, Environment, Catalog, "Context"], list[Alternative]]

OFFICE_HOURS = Decimal(12 * 22)  # 12 h × 22 working days: the schedule the issue and the guide's team use
GRAVITON = {"t2": "t4g", "t3": "t4g", "m5": "m6g", "m6i": "m6g", "m7i": "m7g", "r5": "r6g", "r6i": "r6g",
            "r7i": "r7g"}


class Context:
    """What an option needs beyond one environment: who takes the account-wide CloudFront free tier."""

    def __init__(self, free_tier_env: str | None = None, schedule_hours: Decimal = OFFICE_HOURS) -> None:
        self.free_tier_env = free_tier_env
        self.schedule_hours = schedule_hours


def service_totals(env: Environment, catalog: Catalog, name: str) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for c in environment_components(env, catalog, name):
        out[c.service] = out.get(c.service, Decimal(0)) + cents(c.cost("typical"))
    return out


def compare(name: str, base: Environment, new: Environment, catalog: Catalog, *, option: str, kind: Any,
            risk: Any, constraint: str, service: str = "", line: str = "", applicable: bool = True) -> Alternative:
    """The option 'run `new` instead of `base`', priced on the services whose cost changes."""
    before = service_totals(base, catalog, name)
    try:
        after = service_totals(new, catalog, name)
    except EstimateError as exc:  # the estimate names the missing price; the option becomes unavailable
        return unavailable(environment=name, service=service, line=line, option=option, kind=kind,
                           on_demand=Decimal(0), risk=risk, constraint=f"{constraint}; {exc}"), None
    changed = sorted(s for s in set(before) | set(after) if before.get(s, Decimal(0)) != after.get(s, Decimal(0)))
    od = sum((before.get(s, Decimal(0)) for s in changed), Decimal(0))
    new_cost = sum((after.get(s, Decimal(0)) for s in changed), Decimal(0))
    opt = priced(environment=name, service=service or ", ".join(changed), line=line or ", ".join(changed),
                 option=option, kind=kind, on_demand=od, recurring=new_cost, risk=risk, constraint=constraint,
                 applicable=applicable)
    return opt, new


def _replace_service(env: Environment, svc: FargateService, **update: Any) -> Environment:
    return env.model_copy(update={"fargate": [s.model_copy(update=update) if s.name == svc.name else s
                                              for s in env.fargate]})


def _sub(env: Environment, section: str, **update: Any) -> Environment:
    model = getattr(env, section)
    return env.model_copy(update={section: model.model_copy(update=update)})


# -- Fargate -------------------------------------------------------------------------------------------------

def spot(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    out = []
    for svc in env.fargate:
        # Production keeps half its tasks on-demand so an interruption never takes the service down.
        share = Decimal("0.5") if name == "production" else Decimal(1)
        if svc.spot_share >= share:
            continue
        why = "Spot tasks get a 2-minute warning and can be stopped; Spot prices float (catalog rate)"
        applicable = svc.interruption_tolerant
        if not applicable:
            why = f"not applicable: {svc.name} is not marked interruption_tolerant; " + why
        out.append(compare(name, env, _replace_service(env, svc, spot_share=share, interruption_tolerant=True),
                           catalog, option=f"{svc.name}: {n(share * 100)}% of tasks on Fargate Spot", kind="spot",
                           risk="high", constraint=why, service=fargate.SERVICE, line=svc.name,
                           applicable=applicable))
    return out


def fargate_arm(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    return [compare(name, env, _replace_service(env, svc, architecture="arm64"), catalog,
                    option=f"{svc.name}: Graviton (arm64) tasks", kind="graviton", risk="high",
                    constraint="needs arm64 or multi-arch container images (and arm64 native modules)",
                    service=fargate.SERVICE, line=svc.name)
            for svc in env.fargate if svc.architecture == "x86_64"]


# -- RDS / ElastiCache ------------------------------------------------------------------------------------------

def _graviton_class(cls: str) -> str | None:
    prefix, family, size = cls.split(".", 2)
    target = GRAVITON.get(family)
    return f"{prefix}.{target}.{size}" if target else None


def rds_graviton(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    if env.rds is None or not (new := _graviton_class(env.rds.instance_class)):
        return []
    return [compare(name, env, _sub(env, "rds", instance_class=new), catalog,
                    option=f"RDS {env.rds.instance_class} → {new} (Graviton)", kind="graviton", risk="medium",
                    constraint="a class change restarts the instance (Multi-AZ: a short failover); same engine",
                    service=rds.SERVICE, line=env.rds.instance_class)]


def gp3(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    if env.rds is None or env.rds.volume != "gp2":
        return []
    return [compare(name, env, _sub(env, "rds", storage_type="gp3"), catalog, option="RDS storage gp2 → gp3",
                    kind="switch", risk="medium", constraint="online modification; gp3 includes 3,000 IOPS",
                    service=rds.SERVICE, line="storage")]


def valkey(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    if env.elasticache is None or env.elasticache.engine != "redis":
        return []
    return [compare(name, env, _sub(env, "elasticache", engine="valkey"), catalog,
                    option=f"ElastiCache Redis OSS → Valkey ({env.elasticache.node_type})", kind="switch",
                    risk="medium", constraint="Valkey is compatible with Redis OSS 7.2; an in-place engine upgrade",
                    service=elasticache.SERVICE, line=env.elasticache.node_type)]


def elasticache_graviton(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    if env.elasticache is None or not (new := _graviton_class(env.elasticache.node_type)):
        return []
    return [compare(name, env, _sub(env, "elasticache", node_type=new), catalog,
                    option=f"ElastiCache {env.elasticache.node_type} → {new} (Graviton)", kind="graviton",
                    risk="medium", constraint="node type change with online scaling; same engine",
                    service=elasticache.SERVICE, line=env.elasticache.node_type)]


# -- schedules and network ------------------------------------------------------------------------------------

def schedule(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    if name == "production":
        return []
    h = ctx.schedule_hours
    new = env.model_copy(update={"fargate": [s.model_copy(update={"hours_per_month": h}) for s in env.fargate]})
    if env.rds is not None:
        new = _sub(new, "rds", hours_per_month=h)
    return [compare(name, env, new, catalog, option=f"Office hours only ({n(h)} h/month: 12 h × 22 days)",
                    kind="schedule", risk="high", line="Fargate tasks and RDS instance hours",
                    constraint="tasks scaled to 0 and the DB stopped outside office hours (RDS restarts a stopped "
                               "instance after 7 days, so the scheduler must stop it again); NAT, ALB and "
                               "ElastiCache keep running")]


def single_nat(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    if name == "production" or env.nat is None or env.nat.gateways <= 1:
        return []
    return [compare(name, env, _sub(env, "nat", gateways=1), catalog,
                    option=f"One NAT Gateway instead of {env.nat.gateways}", kind="network", risk="medium",
                    line="NAT Gateway count",
                    constraint="private subnets of the other AZs route through one AZ: lost if that AZ fails, and "
                               "cross-AZ traffic to the gateway is billed")]


def s3_endpoint(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    if env.nat is None or env.nat.s3_gb.typical == 0:
        return []
    nat = env.nat
    left = Band(low=nat.data_processed_gb.low - nat.s3_gb.low,
                typical=nat.data_processed_gb.typical - nat.s3_gb.typical,
                high=nat.data_processed_gb.high - nat.s3_gb.high)
    new = _sub(env, "nat", data_processed_gb=left, s3_gb=Band.of(0))
    return [compare(name, env, new, catalog, option=f"S3 gateway endpoint ({n(nat.s3_gb.typical)} GB off the NAT)",
                    kind="network", risk="medium", line="NAT data processed for S3",
                    constraint="gateway endpoints have no charge; same-region S3 only; a route-table change")]


def public_ipv4(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    if env.other.extra_public_ipv4 == 0:
        return []
    new = env.model_copy(update={"other": env.other.model_copy(update={"extra_public_ipv4": 0})})
    return [compare(name, env, new, catalog, option=f"Release {env.other.extra_public_ipv4} extra public IPv4",
                    kind="network", risk="medium", line="extra public IPv4",
                    constraint="every public IPv4 is billed hourly, in use or idle")]


# -- CloudFront -----------------------------------------------------------------------------------------------

def cloudfront_plans(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    cf = env.cloudfront
    if cf is None:
        return []
    out: list[Alternative] = []
    current = sum((cents(resolve(c, catalog).cost()) for c in cloudfront.components(env, catalog)), Decimal(0))
    if not cf.always_free_tier:
        taken = ctx.free_tier_env
        free_env = _sub(env, "cloudfront", always_free_tier=True)
        opt, _ = compare(name, env, free_env, catalog, option="Pay-as-you-go with the always-free allowance",
                         kind="cloudfront", risk="medium", service=cloudfront.SERVICE, line="CloudFront",
                         applicable=taken is None,
                         constraint="the always-free allowance is per account" +
                                    (f": {taken} already uses it" if taken else ""))
        out.append((opt, free_env if taken is None else None))
    requests = cf.http_requests.typical + cf.https_requests.typical
    for rec in sorted(catalog.find("AmazonCloudFront", product_family="Flat-Rate Plan"), key=lambda r: r.price):
        a = rec.attributes
        fits = requests <= Decimal(a["requestsIncluded"]) and cf.data_out_gb.typical <= \
            Decimal(a["dataTransferIncludedGB"])
        why = (f"{n(requests)} requests and {n(cf.data_out_gb.typical)} GB fit its {n(Decimal(a['requestsIncluded']))}"
               f" requests and {n(Decimal(a['dataTransferIncludedGB']))} GB" if fits else
               f"does not fit: {n(requests)} requests / {n(cf.data_out_gb.typical)} GB against "
               f"{n(Decimal(a['requestsIncluded']))} / {n(Decimal(a['dataTransferIncludedGB']))} GB")
        opt = priced(environment=name, service=cloudfront.SERVICE, line="CloudFront",
                     option=f"CloudFront flat-rate plan {a['plan']}", kind="cloudfront", on_demand=current,
                     recurring=rec.price, risk="medium", applicable=fits,
                     constraint=f"{why}; per distribution, no overage (throttled beyond the allowance); includes "
                                "WAF, Route 53 and log ingestion for the distribution (not counted here); plan "
                                "prices from a secondary source",
                     rate_codes=(f"{rec.offer_code}:{a['plan']}",))
        out.append((opt, None))
    return out


# -- logging ---------------------------------------------------------------------------------------------------

def logging(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    out: list[Alternative] = []
    if env.rds is not None and env.rds.log_statement == "all" and env.rds.exported_logs_gb.typical > 0:
        new = _sub(env, "rds", log_statement="ddl", exported_logs_gb=Band.of(0))
        out.append(compare(name, env, new, catalog, option="PostgreSQL log_statement all → ddl", kind="logging",
                           risk="medium", service="CloudWatch", line="RDS log export",
                           constraint="upper bound: DDL-only logs taken as negligible; check the hospital's audit "
                                      "duty first (pgaudit on chosen tables keeps an audit trail)"))
    if env.cloudwatch is not None and env.cloudwatch.container_insights:
        new = _sub(env, "cloudwatch", container_insights=False)
        out.append(compare(name, env, new, catalog, option="Container Insights off", kind="logging", risk="medium",
                           service="CloudWatch", line="Container Insights",
                           constraint="loses task-level metrics; the guide's alarms use standard ECS/ALB/RDS "
                                      "metrics, which stay"))
    return out


# In the order a plan applies them: cheap, safe changes first; each later one is priced on the changed sizing.
# Spot before arm64: Spot saves more, and the catalog has no Seoul Spot rate for arm64 (listed as a gap).
GENERATORS: list[Generator] = [gp3, logging, single_nat, s3_endpoint, public_ipv4, cloudfront_plans, valkey,
                               rds_graviton, elasticache_graviton, spot, fargate_arm, schedule]


def alternative_options(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    out: list[Alternative] = []
    for gen in GENERATORS:
        out += gen(name, env, catalog, ctx)
    return out
