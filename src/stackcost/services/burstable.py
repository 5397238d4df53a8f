"""Burstable DB classes (db.t3 / db.t4g) run in Unlimited mode on RDS and Aurora: CPU above the baseline is
billed per vCPU-hour. Priced where the catalog has a rate; otherwise named as an exposure, never $0."""

from __future__ import annotations

from decimal import Decimal

from stackcost.catalog import Catalog, PriceRecord
from stackcost.services.base import Component, n
from stackcost.sizing.model import Band, Environment

# Baseline utilisation per vCPU of the burstable families (Amazon EC2 User Guide, "Key concepts for burstable
# performance instances", baseline table; RDS db.t3/db.t4g classes use the same instance types). A fact about
# the hardware, not a price.
BASELINE_PCT = {"micro": Decimal(10), "small": Decimal(20), "medium": Decimal(20), "large": Decimal(30),
                "xlarge": Decimal(40), "2xlarge": Decimal(40)}
FAMILIES = ("t3", "t4g")


def baseline(instance_class: str) -> Decimal | None:
    """The baseline CPU % of a burstable class (db.t3.medium -> 20), None for other classes."""
    parts = instance_class.split(".")
    if len(parts) != 3 or parts[1] not in FAMILIES:
        return None
    return BASELINE_PCT.get(parts[2])


def credit_rate(catalog: Catalog, engine: str) -> PriceRecord | None:
    found = catalog.find("AmazonRDS", product_family="CPU Credits", databaseEngine=engine)
    return found[0] if len(found) == 1 else None


def exposure(instance_class: str, catalog: Catalog, average_cpu: Band | None, engine: str) -> str:
    """The sentence that names the CPU-credit charge on a burstable line ('' for other classes)."""
    base = baseline(instance_class)
    if base is None:
        return ""
    if credit_rate(catalog, engine) is not None:
        return f"; CPU credits above the {n(base)} % baseline are billed (priced on their own line)"
    above = ""
    if average_cpu is not None and average_cpu.typical > base:
        above = f" (the sizing's average CPU {n(average_cpu.typical)} % is above it)"
    return (f"; CPU credits above the {n(base)} % baseline are billed and are not in this estimate: no "
            f"{catalog.region} price in the catalog{above}")


def components(env: Environment, catalog: Catalog) -> list[Component]:
    """CPU-credit vCPU-hours of an RDS burstable instance, where the catalog has a rate for this region."""
    rds = env.rds
    if rds is None or rds.average_cpu_pct is None or (base := baseline(rds.instance_class)) is None:
        return []
    rate = credit_rate(catalog, "PostgreSQL")
    if rate is None:
        return []
    inst = [r for r in catalog.find("AmazonRDS", product_family="Database Instance", databaseEngine="PostgreSQL",
                                    instanceType=rds.instance_class)]
    vcpu = Decimal(inst[0].attributes.get("vcpu", "0")) if inst else Decimal(0)
    hours = (rds.hours_per_month or env.hours_per_month) * (1 + rds.read_replicas)
    avg = rds.average_cpu_pct

    def over(level: str) -> Decimal:
        pct: Decimal = getattr(avg, level)
        return max(pct - base, Decimal(0)) / 100 * vcpu * hours

    qty = Band(low=over("low"), typical=over("typical"), high=over("high"))
    return [Component("RDS PostgreSQL", f"{rds.instance_class} CPU credits above the {n(base)} % baseline",
                      "vCPU-Hours", qty, (rate,), usage_based=True,
                      assumption=f"({n(avg.typical)} % − {n(base)} %) × {n(vcpu)} vCPU × {n(hours)} h")]
