"""Charges AWS makes that the catalog has no price for: named on the lines they belong to and in the
estimate's notes, never priced at $0 (CPU credits of burstable classes, ElastiCache backup storage)."""

from __future__ import annotations

from stackcost.catalog import Catalog
from stackcost.services import burstable
from stackcost.services.base import Component
from stackcost.sizing.model import Environment


def _elasticache_backup(env: Environment, catalog: Catalog) -> str:
    ec, sl = env.elasticache, env.elasticache_serverless
    # Node-based clusters keep one snapshot per cluster free; serverless caches pay for every GB of snapshots.
    if (ec is not None and ec.snapshot_retention_days > 1) or (sl is not None and sl.snapshot_retention_days > 0):
        return (f"ElastiCache backup storage beyond the free snapshot is billed per GB-month and is not in this "
                f"estimate: no {catalog.region} price in the catalog")
    return ""


def annotate(env: Environment, components: list[Component], catalog: Catalog) -> list[Component]:
    """Name each unpriced charge on the line it belongs to (the RDS instance, the cache nodes)."""
    out = []
    rds_note = burstable.exposure(env.rds.instance_class, catalog, env.rds.average_cpu_pct, "PostgreSQL") \
        if env.rds is not None else ""
    cache_note = _elasticache_backup(env, catalog)
    for c in components:
        if rds_note and c.service == "RDS PostgreSQL" and c.unit == "Hrs":
            c = c.replace(assumption=c.assumption + rds_note)
        elif cache_note and c.service.startswith("ElastiCache") and c.unit in ("Hrs", "GB-Hours"):
            c = c.replace(assumption=f"{c.assumption}; {cache_note}")
        out.append(c)
    return out


def notes(env: Environment, name: str, catalog: Catalog) -> list[str]:
    """The same exposures, once per environment, for the estimate's notes."""
    out = []
    if env.rds is not None and (note := burstable.exposure(env.rds.instance_class, catalog,
                                                           env.rds.average_cpu_pct, "PostgreSQL")):
        out.append(f"{name}: RDS {env.rds.instance_class}{note}".replace(": ;", ":").replace("; CPU", ": CPU", 1))
    if env.aurora is not None:
        from stackcost.services import aurora  # loaded only for a sizing with Aurora

        for inst in env.aurora.instances:
            if note := burstable.exposure(inst.instance_class, catalog, None, aurora.ENGINE[env.aurora.engine]):
                out.append(f"{name}: Aurora {inst.instance_class}{note}".replace("; CPU", ": CPU", 1))
    if note := _elasticache_backup(env, catalog):
        out.append(f"{name}: {note}")
    return out
