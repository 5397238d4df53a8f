"""Aurora PostgreSQL / MySQL: provisioned writer and readers, Serverless v2 ACU-hours, cluster storage, I/O
requests (Aurora Standard only), backup storage beyond the free allowance.

Aurora Standard and Aurora I/O-Optimized are cluster configurations with their own instance, ACU and storage
prices; I/O-Optimized has no I/O charge.
"""

from __future__ import annotations

from decimal import Decimal

from stackcost.catalog import Catalog, PriceRecord
from stackcost.registry import by_id
from stackcost.services import burstable
from stackcost.services.base import Component, PriceQuery, fixed, n, query, resolve
from stackcost.sizing.model import Aurora, AuroraInstance, Band, Environment

SERVICE = by_id("aurora").label
ENGINE = {"aurora-postgresql": "Aurora PostgreSQL", "aurora-mysql": "Aurora MySQL"}
CONFIG = {"standard": "Aurora Standard", "io-optimized": "Aurora I/O-Optimized"}
SERVERLESS = "db.serverless"
PER_MILLION = Decimal(1_000_000)


def instance_query(aurora: Aurora, instance_class: str) -> PriceQuery:
    return query("AmazonRDS", service="Aurora", product_family="Database Instance",
                 databaseEngine=ENGINE[aurora.engine], storageConfiguration=CONFIG[aurora.storage],
                 instanceType=instance_class)


def instance_rate(catalog: Catalog, aurora: Aurora, instance_class: str) -> PriceRecord:
    return instance_query(aurora, instance_class).resolve(catalog)[0]


def acu_query(aurora: Aurora) -> PriceQuery:
    return query("AmazonRDS", service="Aurora", chargeType="serverless-v2", databaseEngine=ENGINE[aurora.engine],
                 storageConfiguration=CONFIG[aurora.storage])


def storage_query(aurora: Aurora) -> PriceQuery:
    # Aurora PostgreSQL has its own Standard storage SKU; Aurora MySQL's and I/O-Optimized storage are filed
    # under engine "Any" in the Price List.
    engine = "Aurora PostgreSQL" if aurora.engine == "aurora-postgresql" and aurora.storage == "standard" else "Any"
    return query("AmazonRDS", service="Aurora", chargeType="storage", databaseEngine=engine,
                 storageConfiguration=CONFIG[aurora.storage])


def io_query() -> PriceQuery:
    return query("AmazonRDS", service="Aurora", chargeType="io-requests", databaseEngine="Any")


def _roles(instances: list[AuroraInstance]) -> list[tuple[str, AuroraInstance, int]]:
    """(role, group, count): the first instance of the first group is the writer, every other one a reader."""
    out: list[tuple[str, AuroraInstance, int]] = []
    for i, inst in enumerate(instances):
        if inst.count == 0:
            continue
        if i == 0:
            out.append(("writer", inst, 1))
            if inst.count > 1:
                out.append(("reader", inst, inst.count - 1))
        else:
            out.append(("reader", inst, inst.count))
    return out


def components(env: Environment, catalog: Catalog) -> list[Component]:
    au = env.aurora
    if au is None:
        return []
    hours = env.hours_per_month
    config = CONFIG[au.storage]
    out: list[Component] = []
    for role, inst, count in _roles(au.instances):
        what = f"{role}{'s' if count > 1 else ''}"
        if inst.instance_class == SERVERLESS:
            out.append(Component(SERVICE, f"Serverless v2 {what} ({config})", "ACU-Hr", au.acu.scaled(count * hours),
                                 price=acu_query(au), usage_based=True,
                                 assumption=f"{count} × {n(au.acu.typical)} ACU on average (band "
                                            f"{n(au.acu.low)}–{n(au.acu.high)}, scaling {n(au.min_acu)}–"
                                            f"{n(au.max_acu)} ACU) × {n(hours)} h"))
            continue
        note = burstable.exposure(inst.instance_class, catalog, None, ENGINE[au.engine])
        out.append(Component(SERVICE, f"{inst.instance_class} {what} ({config})", "Hrs", fixed(count * hours),
                             price=instance_query(au, inst.instance_class), assumption=f"{count} × {n(hours)} h{note}"))
    if au.storage_gb.high > 0:
        out.append(Component(SERVICE, f"cluster storage ({config})", "GB-Mo", au.storage_gb,
                             price=storage_query(au), usage_based=True,
                             assumption=f"{n(au.storage_gb.typical)} GB stored (billed on what is used, not "
                                        "allocated; shared by all instances)"))
    if au.storage == "standard" and au.io_requests_millions.high > 0:
        out.append(Component(SERVICE, "I/O requests (Aurora Standard)", "IOs",
                             au.io_requests_millions.scaled(PER_MILLION), price=io_query(), usage_based=True,
                             assumption=f"{n(au.io_requests_millions.typical)} million read/write I/Os per month"))
    if au.backup_storage_gb.high > 0:
        out.append(Component(SERVICE, "backup storage beyond the free allowance", "GB-Mo", au.backup_storage_gb,
                             price=query("AmazonRDS", service="Aurora", chargeType="aurora-backup",
                                         databaseEngine=ENGINE[au.engine]), usage_based=True,
                             assumption=f"{n(au.backup_storage_gb.typical)} GB beyond the free allowance (backups "
                                        "up to the cluster's storage within the retention period are free)"))
    return out


def io_share(env: Environment, catalog: Catalog, level: str = "typical") -> tuple[Decimal, Decimal]:
    """(I/O charge, whole Aurora bill) of an Aurora Standard cluster: the I/O-Optimized switch pays off when
    the I/O share is above what the dearer instance and storage prices cost."""
    comps = [resolve(c, catalog) for c in components(env, catalog)]
    total = sum((c.cost(level) for c in comps), Decimal(0))
    io = sum((c.cost(level) for c in comps if c.unit == "IOs"), Decimal(0))
    return io, total


def band_of(value: Band) -> str:
    return f"{n(value.low)} / {n(value.typical)} / {n(value.high)}"
