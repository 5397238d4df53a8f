"""Options that change the sizing rather than the way of paying: Spot, Graviton/ARM, Valkey, gp3, schedules,
NAT and S3 endpoint, public IPv4, CloudFront plans, logging.

Each one is priced by estimating the changed environment with the same engine as `cost estimate`, so an option
can never disagree with the estimate; only the services whose cost moves are compared.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from stackcost.catalog import AmbiguousPrice, Catalog, PriceNotFound
from stackcost.estimate import EstimateError, Shared, cents, environment_components
from stackcost.optimize.options import Option, priced, unavailable
from stackcost.services import aurora, burstable, cloudfront, elasticache, fargate, rds
from stackcost.services.base import n, resolve
from stackcost.sizing.edit import edited
from stackcost.sizing.model import Band, Environment, FargateService

# A change paired with the environment it leads to (None: a saving outside the sizing model, e.g. a CloudFront
# flat-rate plan, which the plan adds as an adjustment).
Alternative = tuple[Option, Environment | None]
Generator = Callable[[str, Environment, Catalog, "Context"], list[Alternative]]

OFFICE_HOURS = Decimal(12 * 22)  # 12 h × 22 working days: the schedule the issue and the guide's team use
GRAVITON = {"t2": "t4g", "t3": "t4g", "m5": "m6g", "m6i": "m6g", "m7i": "m7g", "r5": "r6g", "r6i": "r6g",
            "r7i": "r7g"}


class Context:
    """What an option needs beyond one environment: who takes the account-wide CloudFront free tier; and, for
    one optimizer run, the service totals of each sizing priced so far (the options and the plan compare the
    same base sizing, and often the same variant, many times)."""

    def __init__(self, free_tier_env: str | None = None, schedule_hours: Decimal = OFFICE_HOURS) -> None:
        self.free_tier_env = free_tier_env
        self.schedule_hours = schedule_hours
        self._totals: dict[tuple[str, int, str], dict[str, Decimal]] = {}
        self._shared = Shared()  # the lines of services a variant leaves unchanged are priced once

    def service_totals(self, env: Environment, catalog: Catalog, name: str) -> dict[str, Decimal]:
        """`service_totals`, once per distinct sizing (its whole JSON is the key) and catalog."""
        key = (name, id(catalog), env.model_dump_json())
        got = self._totals.get(key)
        if got is None:
            got = self._totals[key] = service_totals(env, catalog, name, self._shared)
        return dict(got)


def service_totals(env: Environment, catalog: Catalog, name: str, shared: Shared | None = None) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for c in environment_components(env, catalog, name, shared=shared):
        out[c.service] = out.get(c.service, Decimal(0)) + cents(c.cost("typical"))
    return out


def compare(name: str, base: Environment, new: Environment, catalog: Catalog, ctx: Context, *, option: str,
            kind: Any, risk: Any, constraint: str, service: str = "", line: str = "",
            applicable: bool = True) -> Alternative:
    """The option 'run `new` instead of `base`', priced on the services whose cost changes."""
    before = ctx.service_totals(base, catalog, name)
    try:
        after = ctx.service_totals(new, catalog, name)
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
    return edited(env, {f"fargate.{svc.name}.{k}": v for k, v in update.items()})


def _sub(env: Environment, section: str, **update: Any) -> Environment:
    return edited(env, {f"{section}.{k}": v for k, v in update.items()})


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
                           catalog, ctx, option=f"{svc.name}: {n(share * 100)}% of tasks on Fargate Spot", kind="spot",
                           risk="high", constraint=why, service=fargate.SERVICE, line=svc.name,
                           applicable=applicable))
    return out


def fargate_arm(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    return [compare(name, env, _replace_service(env, svc, architecture="arm64"), catalog, ctx,
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
    return [compare(name, env, _sub(env, "rds", instance_class=new), catalog, ctx,
                    option=f"RDS {env.rds.instance_class} → {new} (Graviton)", kind="graviton", risk="medium",
                    constraint="a class change restarts the instance (Multi-AZ: a short failover); same engine",
                    service=rds.SERVICE, line=env.rds.instance_class)]


def gp3(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    if env.rds is None or env.rds.volume != "gp2":
        return []
    return [compare(name, env, _sub(env, "rds", storage_type="gp3"), catalog, ctx, option="RDS storage gp2 → gp3",
                    kind="switch", risk="medium", constraint="online modification; gp3 includes 3,000 IOPS",
                    service=rds.SERVICE, line="storage")]


def valkey(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    if env.elasticache is None or env.elasticache.engine != "redis":
        return []
    return [compare(name, env, _sub(env, "elasticache", engine="valkey"), catalog, ctx,
                    option=f"ElastiCache Redis OSS → Valkey ({env.elasticache.node_type})", kind="switch",
                    risk="medium", constraint="Valkey is compatible with Redis OSS 7.2; an in-place engine upgrade",
                    service=elasticache.SERVICE, line=env.elasticache.node_type)]


def elasticache_graviton(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    if env.elasticache is None or not (new := _graviton_class(env.elasticache.node_type)):
        return []
    return [compare(name, env, _sub(env, "elasticache", node_type=new), catalog, ctx,
                    option=f"ElastiCache {env.elasticache.node_type} → {new} (Graviton)", kind="graviton",
                    risk="medium", constraint="node type change with online scaling; same engine",
                    service=elasticache.SERVICE, line=env.elasticache.node_type)]


# -- schedules and network ------------------------------------------------------------------------------------

def schedule(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    if name == "production":
        return []
    h = ctx.schedule_hours
    new = edited(env, {f"fargate.{s.name}.hours_per_month": h for s in env.fargate})
    if env.rds is not None:
        new = _sub(new, "rds", hours_per_month=h)
    return [compare(name, env, new, catalog, ctx, option=f"Office hours only ({n(h)} h/month: 12 h × 22 days)",
                    kind="schedule", risk="high", line="Fargate tasks and RDS instance hours",
                    constraint="tasks scaled to 0 and the DB stopped outside office hours (RDS restarts a stopped "
                               "instance after 7 days, so the scheduler must stop it again); NAT, ALB and "
                               "ElastiCache keep running")]


def single_nat(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    if name == "production" or env.nat is None or env.nat.gateways <= 1:
        return []
    return [compare(name, env, _sub(env, "nat", gateways=1), catalog, ctx,
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
    return [compare(name, env, new, catalog, ctx, option=f"S3 gateway endpoint ({n(nat.s3_gb.typical)} GB off the NAT)",
                    kind="network", risk="medium", line="NAT data processed for S3",
                    constraint="gateway endpoints have no charge; same-region S3 only; a route-table change")]


def public_ipv4(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    if env.other.extra_public_ipv4 == 0:
        return []
    new = _sub(env, "other", extra_public_ipv4=0)
    return [compare(name, env, new, catalog, ctx, option=f"Release {env.other.extra_public_ipv4} extra public IPv4",
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
        opt, _ = compare(name, env, free_env, catalog, ctx, option="Pay-as-you-go with the always-free allowance",
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
        out.append(compare(name, env, new, catalog, ctx, option="PostgreSQL log_statement all → ddl", kind="logging",
                           risk="medium", service="CloudWatch", line="RDS log export",
                           constraint="upper bound: DDL-only logs taken as negligible; check the hospital's audit "
                                      "duty first (pgaudit on chosen tables keeps an audit trail)"))
    if env.cloudwatch is not None and env.cloudwatch.container_insights:
        new = _sub(env, "cloudwatch", container_insights=False)
        out.append(compare(name, env, new, catalog, ctx, option="Container Insights off", kind="logging", risk="medium",
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


# -- issue #13: Aurora and burstable RDS classes ------------------------------------------------------------------

def aurora_io_optimized(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    """Aurora Standard → I/O-Optimized, with the break-even I/O share worked out from this cluster's prices."""
    au = env.aurora
    if au is None or au.storage != "standard":
        return []
    new = _sub(env, "aurora", storage="io-optimized")
    io, total = aurora.io_share(env, catalog)
    try:
        optimized = sum((resolve(c, catalog).cost() for c in aurora.components(new, catalog)), Decimal(0))
    except (PriceNotFound, AmbiguousPrice):
        optimized = Decimal(0)  # compare() below names the missing price
    why = "switching to I/O-Optimized is allowed once every 30 days (back to Standard at any time); no downtime"
    if total and optimized:
        # Worth it when I/O > (I/O-Optimized bill − Standard bill without I/O): as a share of the Standard bill,
        # that is (optimized − (total − io)) / optimized.
        threshold = (optimized - (total - io)) / optimized * 100
        why = (f"I/O is {io / total * 100:.1f} % of this cluster's Aurora bill; with its instance and storage "
               f"prices I/O-Optimized pays off above {threshold:.1f} % (AWS's rule of thumb: about 25 %); " + why)
    return [compare(name, env, new, catalog, ctx, option="Aurora Standard → I/O-Optimized", kind="switch", risk="low",
                    constraint=why, service=aurora.SERVICE, line="Aurora cluster configuration")]


def aurora_graviton(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    au = env.aurora
    if au is None:
        return []
    out = []
    for i, inst in enumerate(au.instances):
        if inst.instance_class == aurora.SERVERLESS or not (new_cls := _graviton_class(inst.instance_class)):
            continue
        out.append(compare(name, env, edited(env, {f"aurora.instances.{i}.instance_class": new_cls}), catalog, ctx,
                           option=f"Aurora {inst.instance_class} → {new_cls} (Graviton)", kind="graviton",
                           risk="medium", service=aurora.SERVICE, line=f"Aurora {inst.instance_class}",
                           constraint="instance class change: readers first, then a failover to a new writer"))
    return out


def aurora_reserved(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    """AWS sells Aurora reserved instances, but the data has no rate for them: listed, never priced."""
    au = env.aurora
    if au is None:
        return []
    hours = env.hours_per_month
    out: list[Alternative] = []
    for inst in au.instances:
        if inst.instance_class == aurora.SERVERLESS or inst.count == 0:
            continue
        on_demand = aurora.instance_rate(catalog, au, inst.instance_class).price * hours * inst.count
        for years in (1, 3):
            out.append((unavailable(environment=name, service=aurora.SERVICE, line=f"Aurora {inst.instance_class}",
                                    option=f"Aurora reserved instance {inst.instance_class} ({years}yr)",
                                    kind="reserved", on_demand=on_demand, term_years=years,
                                    constraint=f"Aurora reserved instances exist, but no {catalog.region} rate is "
                                               "in the catalog's sources: not priced"), None))
    return out


NON_BURSTABLE = {"t3": "m6i", "t4g": "m6g"}  # same architecture, general purpose


def rds_non_burstable(name: str, env: Environment, catalog: Catalog, ctx: Context) -> list[Alternative]:
    """A burstable class whose average CPU is above its baseline pays CPU credits: suggest a fixed-performance
    class of the same architecture (at least 'large', the smallest m-class size)."""
    db = env.rds
    if db is None or db.average_cpu_pct is None or (base := burstable.baseline(db.instance_class)) is None:
        return []
    if db.average_cpu_pct.typical <= base:
        return []
    _, family, size = db.instance_class.split(".", 2)
    new = f"db.{NON_BURSTABLE[family]}.{size if 'xlarge' in size else 'large'}"
    priced_credits = burstable.credit_rate(catalog, "PostgreSQL") is not None
    why = (f"average CPU {n(db.average_cpu_pct.typical)} % is above the {n(base)} % baseline of "
           f"{db.instance_class}: CPU credits are billed in Unlimited mode" +
           ("" if priced_credits else f" and have no {catalog.region} price in the catalog, so this comparison "
                                      "leaves out the credit charge the change removes") +
           "; a class change restarts the instance (Multi-AZ: a short failover)")
    return [compare(name, env, _sub(env, "rds", instance_class=new), catalog, ctx,
                    option=f"RDS {db.instance_class} → {new} (not burstable)", kind="switch", risk="medium",
                    constraint=why, service=rds.SERVICE, line=db.instance_class)]


GENERATORS += [aurora_io_optimized, aurora_graviton, aurora_reserved, rds_non_burstable]
