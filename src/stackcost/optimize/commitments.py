"""Commitment options per line: RDS reserved instances, ElastiCache reserved nodes, Database Savings Plans and
Compute Savings Plans for Fargate. Rates come only from the catalog; what it lacks is listed as unavailable."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from stackcost.catalog import Catalog, PriceRecord
from stackcost.catalog.vocab import Attr
from stackcost.estimate import HOURS_PER_MONTH
from stackcost.optimize.options import Option, Risk, priced, unavailable
from stackcost.services import elasticache, fargate, rds
from stackcost.services.base import PriceQuery
from stackcost.sizing.model import Environment, FargateService

COMBOS = [(lease, opt) for lease in (1, 3) for opt in ("No Upfront", "Partial Upfront", "All Upfront")]
REFRESH_SP = "cost catalog refresh --source api --service AWSComputeSavingsPlan"


def commitment_risk(environment: str, lease: int) -> Risk:
    """low: 1-year commitments on production; medium: 3-year terms, or commitments outside production."""
    return "low" if lease == 1 and environment == "production" else "medium"


def _steady_note(hours: Decimal) -> str:
    if hours >= HOURS_PER_MONTH:
        return ""
    return f"; runs {hours} of {HOURS_PER_MONTH} h, but a commitment bills every hour"


def _rate_codes(rec: PriceRecord) -> tuple[str, ...]:
    return tuple(c for c in (rec.rate_code, rec.upfront_rate_code) if c)


def _find(catalog: Catalog, q: PriceQuery) -> list[PriceRecord]:
    """Every record of a query (none, one, or one per term and payment option)."""
    filters: dict[str, Any] = dict(q.filters)
    return catalog.find(q.service_code, term=q.term, **filters)


def _by_attribute(catalog: Catalog, q: PriceQuery, key: str) -> dict[str, list[PriceRecord]]:
    """The records of a query without its `key` filter, grouped by their `key` attribute: the group of a value
    is what the query with `key`=value finds (in the same order), got in one pass instead of one per value."""
    filters: dict[str, Any] = {k: v for k, v in q.filters if k != key}
    out: dict[str, list[PriceRecord]] = {}
    for rec in catalog.find(q.service_code, term=q.term, **filters):
        value = rec.attributes.get(key)
        if value is not None:
            out.setdefault(value, []).append(rec)
    return out


# -- RDS ----------------------------------------------------------------------------------------------------

def rds_line(env: Environment) -> str:
    assert env.rds is not None
    return f"{env.rds.instance_class} {rds.deployment(env.rds)} instance"


def rds_options(name: str, env: Environment, catalog: Catalog) -> list[Option]:
    db = env.rds
    if db is None:
        return []
    deploy = rds.deployment(db)
    od_rec = rds.instance_query(db.instance_class, db.multi_az).resolve(catalog)[0]
    hours = db.hours_per_month or env.hours_per_month
    on_demand = od_rec.price * hours
    line = rds_line(env)
    covers = f"{name}:rds:instance"
    family = db.instance_class.rsplit(".", 1)[0]
    found = {(r.lease_years, r.purchase_option): r
             for r in _find(catalog, rds.instance_query(db.instance_class, db.multi_az, term="Reserved"))}
    out: list[Option] = []
    for lease, opt in COMBOS:
        rec = found.get((lease, opt))
        common = dict(environment=name, service=rds.SERVICE, line=line, option=f"Reserved instance {lease}yr {opt}",
                      kind="reserved", term_years=lease, purchase_option=opt, on_demand=on_demand, covers=covers)
        if rec is None:
            out.append(unavailable(**common, constraint="not offered in the catalog for Seoul "  # type: ignore[arg-type]
                                   "(`cost catalog info` lists the gap)"))
            continue
        out.append(priced(
            **common, recurring=rec.price * HOURS_PER_MONTH, upfront=rec.upfront,  # type: ignore[arg-type]
            risk=commitment_risk(name, lease), covered_units_per_month=HOURS_PER_MONTH, rate_codes=_rate_codes(rec),
            constraint=f"{lease}-year term; size-flexible within {family} ({deploy}, PostgreSQL)"
                       + _steady_note(hours)))
    out += _rds_savings_plan(name, env, catalog, od_rec, on_demand, hours, line, covers)
    return out


def _rds_savings_plan(name: str, env: Environment, catalog: Catalog, od_rec: PriceRecord, on_demand: Decimal,
                      hours: Decimal, line: str, covers: str) -> list[Option]:
    assert env.rds is not None
    deploy = rds.deployment(env.rds)
    plans = catalog.find("AmazonRDS", term="SavingsPlan", instanceType=env.rds.instance_class,
                         deploymentOption=deploy, savingsPlanType="Database")
    out = [priced(environment=name, service=rds.SERVICE, line=line,
                  option=f"Database Savings Plan {sp.lease_years}yr {sp.purchase_option}", kind="savings-plan",
                  term_years=sp.lease_years or 1, purchase_option=sp.purchase_option, on_demand=on_demand,
                  recurring=sp.price * HOURS_PER_MONTH, risk=commitment_risk(name, sp.lease_years or 1),
                  covers=covers, covered_units_per_month=HOURS_PER_MONTH,
                  constraint="commitment in $/h, applies across eligible RDS and ElastiCache usage; only this term "
                             "is in the catalog" + _steady_note(hours))
           for sp in plans]
    if out:
        return out
    # Not eligible: say why, and what the cheapest eligible class at least as large would cost with the plan.
    vcpu, mem = Decimal(od_rec.attributes.get("vcpu", "0")), _gib(od_rec.attributes.get("memory", "0"))
    candidates = []
    on_demand_of = _by_attribute(catalog, rds.instance_query("", env.rds.multi_az), Attr.instance_type)
    for sp in catalog.find("AmazonRDS", term="SavingsPlan", deploymentOption=deploy, savingsPlanType="Database"):
        cls = sp.attributes["instanceType"]
        ods = on_demand_of.get(cls, [])
        if ods and Decimal(ods[0].attributes.get("vcpu", "0")) >= vcpu and \
                _gib(ods[0].attributes.get("memory", "0")) >= mem:
            candidates.append((sp.price, cls, sp, ods[0]))
    family = env.rds.instance_class.split(".")[1]
    why = f"{family} is not eligible for Database Savings Plans (m7g, m7i, r7g, r7i are)"
    if not candidates:
        return [unavailable(environment=name, service=rds.SERVICE, line=line, option="Database Savings Plan",
                            kind="savings-plan", on_demand=on_demand, applicable=False,
                            constraint=f"{why}; no eligible class in the catalog is as large")]
    _, cls, sp, od = min(candidates, key=lambda c: (c[0], c[1]))
    return [priced(environment=name, service=rds.SERVICE, line=line,
                   option=f"Switch to {cls} {deploy} + Database Savings Plan {sp.lease_years}yr {sp.purchase_option}",
                   kind="savings-plan", term_years=sp.lease_years or 1, purchase_option=sp.purchase_option,
                   on_demand=on_demand, recurring=sp.price * HOURS_PER_MONTH, risk="medium", covers=covers,
                   covered_units_per_month=HOURS_PER_MONTH, rate_codes=(sp.rate_code,) if sp.rate_code else (),
                   constraint=f"{why}; {cls} ({od.attributes.get('vcpu')} vCPU, {od.attributes.get('memory')}) "
                              f"is {od.price_usd}/h on-demand, {sp.price_usd}/h with the plan")]


def _gib(text: str) -> Decimal:
    head = text.split(" ")[0].replace(",", "")
    try:
        return Decimal(head)
    except ArithmeticError:
        return Decimal(0)


# -- ElastiCache --------------------------------------------------------------------------------------------

def elasticache_options(name: str, env: Environment, catalog: Catalog) -> list[Option]:
    ec = env.elasticache
    if ec is None:
        return []
    engine = elasticache.ENGINE[ec.engine]
    od_rec = elasticache.node_query(ec.node_type, engine).resolve(catalog)[0]
    on_demand = od_rec.price * ec.nodes * env.hours_per_month
    line = f"{ec.nodes} × {ec.node_type} {engine} node"
    covers = f"{name}:elasticache:nodes"
    units = HOURS_PER_MONTH * ec.nodes
    # Reserved-node files price a node type, not an engine (stored as cacheEngine "any").
    found = {(r.lease_years, r.purchase_option): r
             for r in _find(catalog, elasticache.node_query(ec.node_type, "any", term="Reserved"))}
    out: list[Option] = []
    for lease, opt in COMBOS:
        rec = found.get((lease, opt))
        common = dict(environment=name, service=elasticache.SERVICE, line=line,
                      option=f"Reserved node {lease}yr {opt}", kind="reserved", term_years=lease, purchase_option=opt,
                      on_demand=on_demand, covers=covers)
        if rec is None:
            out.append(unavailable(**common, constraint="not in the catalog for Seoul"))  # type: ignore[arg-type]
            continue
        out.append(priced(
            **common, recurring=rec.price * units, upfront=rec.upfront * ec.nodes,  # type: ignore[arg-type]
            risk=commitment_risk(name, lease), covered_units_per_month=units, rate_codes=_rate_codes(rec),
            constraint=f"{lease}-year term, {ec.nodes} node(s); size-flexible in the family; engine not named in "
                       "the price file" + _steady_note(env.hours_per_month)))
    plans = catalog.find("AmazonElastiCache", term="SavingsPlan", instanceType=ec.node_type, cacheEngine=engine,
                         savingsPlanType="Database")
    for sp in plans:
        out.append(priced(environment=name, service=elasticache.SERVICE, line=line,
                          option=f"Database Savings Plan {sp.lease_years}yr {sp.purchase_option}", kind="savings-plan",
                          term_years=sp.lease_years or 1, purchase_option=sp.purchase_option, on_demand=on_demand,
                          recurring=sp.price * units, risk=commitment_risk(name, sp.lease_years or 1), covers=covers,
                          covered_units_per_month=units, rate_codes=(sp.rate_code,) if sp.rate_code else (),
                          constraint="Valkey nodes only; only this term is in the catalog"))
    if not plans:
        out.append(_elasticache_sp_alternative(name, env, catalog, od_rec, on_demand, line, covers))
    return out


def _elasticache_sp_alternative(name: str, env: Environment, catalog: Catalog, od_rec: PriceRecord,
                                on_demand: Decimal, line: str, covers: str) -> Option:
    ec = env.elasticache
    assert ec is not None
    why = ("Redis OSS is not eligible for Database Savings Plans (Valkey is)" if ec.engine == "redis"
           else f"{ec.node_type} is not eligible for Database Savings Plans (cache.m7g and cache.r7g are)")
    mem = _gib(od_rec.attributes.get("memory", "0"))
    candidates = []
    on_demand_of = _by_attribute(catalog, elasticache.node_query("", "Valkey"), Attr.instance_type)
    for sp in catalog.find("AmazonElastiCache", term="SavingsPlan", cacheEngine="Valkey", savingsPlanType="Database",
                           resource="node"):
        node = sp.attributes["instanceType"]
        ods = on_demand_of.get(node, [])
        if ods and _gib(ods[0].attributes.get("memory", "0")) >= mem:
            candidates.append((sp.price, node, sp, ods[0]))
    if not candidates:
        return unavailable(environment=name, service=elasticache.SERVICE, line=line, option="Database Savings Plan",
                           kind="savings-plan", on_demand=on_demand, applicable=False, constraint=why)
    _, node, sp, od = min(candidates, key=lambda c: (c[0], c[1]))
    units = HOURS_PER_MONTH * ec.nodes
    return priced(environment=name, service=elasticache.SERVICE, line=line,
                  option=f"Switch to Valkey {node} + Database Savings Plan {sp.lease_years}yr {sp.purchase_option}",
                  kind="savings-plan", term_years=sp.lease_years or 1, purchase_option=sp.purchase_option,
                  on_demand=on_demand, recurring=sp.price * units, risk="medium", covers=covers,
                  covered_units_per_month=units, rate_codes=(sp.rate_code,) if sp.rate_code else (),
                  constraint=f"{why}; the smallest eligible Valkey node, {node} ({od.attributes.get('memory')}), is "
                             f"{od.price_usd}/h on-demand, {sp.price_usd}/h with the plan")


# -- Fargate ------------------------------------------------------------------------------------------------

def fargate_on_demand(svc: FargateService, env: Environment, catalog: Catalog) -> dict[str, Decimal]:
    """On-demand monthly USD of a service's vCPU and memory (what a Compute Savings Plan could cover)."""
    hours = svc.hours_per_month or env.hours_per_month
    share = 1 - svc.spot_share
    out = {}
    for resource, size in (("vCPU", svc.vcpu), ("memory", svc.memory_gb)):
        rec = fargate.on_demand_rate(catalog, svc.architecture, resource)
        out[resource] = rec.price * size * svc.tasks.average * hours * share
    return out


Discounts = dict[tuple[int, str], dict[str, Decimal]]


def compute_sp_discounts(catalog: Catalog, architecture: str) -> tuple[Discounts, bool, dict[tuple[int, str], str]]:
    """Per (term, payment): the discount off on-demand per resource, whether it is indicative, and the region(s)
    it comes from. Seoul rates when the catalog has them; otherwise the reference regions' (us-east-1 first)."""
    arch = fargate.ARCHITECTURE[architecture]
    seoul = catalog.find("AmazonECS", term="SavingsPlan", cpuArchitecture=arch, savingsPlanType="Compute")
    out: Discounts = {}
    where: dict[tuple[int, str], list[str]] = {}
    if seoul:
        for sp in seoul:
            od = fargate.on_demand_rate(catalog, architecture, sp.attributes["resource"])
            key = (sp.lease_years or 1, sp.purchase_option)
            out.setdefault(key, {})[sp.attributes["resource"]] = 1 - sp.price / od.price
            where[key] = [catalog.region]
    else:
        # Reference rates of other regions (stored with confidence "reference"), in a stable order.
        refs = catalog.find("AmazonECS", term="SavingsPlan", region=None, include_reference=True,
                            cpuArchitecture=arch, savingsPlanType="Compute")
        for region in sorted({r.region for r in refs if r.region != catalog.region}):
            for sp in catalog.find("AmazonECS", term="SavingsPlan", region=region, include_reference=True,
                                   cpuArchitecture=arch, savingsPlanType="Compute"):
                od_text = sp.attributes.get("onDemandUsd", "")
                key = (sp.lease_years or 1, sp.purchase_option)
                if not od_text or sp.attributes["resource"] in out.get(key, {}):
                    continue
                out.setdefault(key, {})[sp.attributes["resource"]] = 1 - sp.price / Decimal(od_text)
                if region not in where.setdefault(key, []):
                    where[key].append(region)
    complete = {k: v for k, v in out.items() if len(v) == 2}
    return complete, not seoul, {k: " and ".join(where[k]) for k in complete}


def fargate_options(name: str, env: Environment, catalog: Catalog) -> list[Option]:
    out: list[Option] = []
    for svc in env.fargate:
        if svc.spot_share >= 1:
            continue
        od = fargate_on_demand(svc, env, catalog)
        on_demand = sum(od.values(), Decimal(0))
        discounts, indicative, sources = compute_sp_discounts(catalog, svc.architecture)
        line = f"{svc.name}: vCPU + memory on-demand ({svc.architecture})"
        steady = svc.tasks.min if svc.tasks.min is not None else svc.tasks.desired
        scaling = "" if svc.tasks.max in (None, steady) and not svc.tasks.profile else \
            f"; autoscaled ({steady}–{svc.tasks.max or svc.tasks.desired} tasks): see the Savings Plan sizing"
        for lease, opt in COMBOS:
            d = discounts.get((lease, opt))
            option = f"Compute Savings Plan {lease}yr {opt}"
            if d is None:
                out.append(unavailable(environment=name, service=fargate.SERVICE, line=line, option=option,
                                       kind="savings-plan", term_years=lease, purchase_option=opt,
                                       on_demand=on_demand, covers=f"{name}:fargate:{svc.name}",
                                       constraint=f"no rate in the catalog for Seoul or a reference region; "
                                                  f"`{REFRESH_SP}` fills it"))
                continue
            effective = sum((od[r] * (1 - d[r]) for r in od), Decimal(0))
            upfront = Decimal(0)
            recurring = effective
            if opt == "All Upfront":
                upfront, recurring = effective * 12 * lease, Decimal(0)
            elif opt == "Partial Upfront":
                upfront, recurring = effective * 6 * lease, effective / 2
            pct = ", ".join(f"{r} {(d[r] * 100).quantize(Decimal('0.1'))}%" for r in ("vCPU", "memory"))
            constraint = "not for Spot usage; applies across Fargate, Lambda and EC2" + scaling
            if indicative:
                constraint = (f"no Seoul rate in the catalog (`{REFRESH_SP}` fills it); {sources[(lease, opt)]} "
                              f"discount ({pct}) applied to Seoul on-demand; " + constraint)
            opt_row = priced(environment=name, service=fargate.SERVICE, line=line, option=option,
                             kind="savings-plan", term_years=lease, purchase_option=opt, on_demand=on_demand,
                             recurring=recurring, upfront=upfront, risk=commitment_risk(name, lease),
                             covers=f"{name}:fargate:{svc.name}",
                             covered_units_per_month=svc.tasks.average * (svc.hours_per_month or env.hours_per_month),
                             constraint=constraint)
            if indicative:
                opt_row = opt_row.model_copy(update={"available": False, "indicative": True})
            out.append(opt_row)
    return out


def commitment_options(name: str, env: Environment, catalog: Catalog) -> list[Option]:
    return rds_options(name, env, catalog) + elasticache_options(name, env, catalog) + \
        fargate_options(name, env, catalog)
