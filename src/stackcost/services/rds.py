"""RDS PostgreSQL: instance hours, storage, provisioned IOPS/throughput, backups, Performance Insights."""

from __future__ import annotations

from decimal import Decimal

from stackcost.catalog import Catalog
from stackcost.catalog.vocab import Attr, Charge
from stackcost.registry import by_id
from stackcost.services import burstable, rds_replicas
from stackcost.services.base import Component, Levels, PriceQuery, fixed, n, query
from stackcost.sizing.model import RDS, Environment

SERVICE = by_id("rds").label

# gp3 on RDS PostgreSQL includes a baseline that depends on the allocated size (RDS User Guide, "gp3
# storage"): below 400 GiB 3,000 IOPS and 125 MiB/s; from 400 GiB 12,000 IOPS and 500 MiB/s.
_GP3_THRESHOLD_GB = Decimal(400)
_GP3_BASELINE = {False: (3000, 125), True: (12000, 500)}


def deployment(rds: RDS) -> str:
    return "Multi-AZ" if rds.multi_az else "Single-AZ"


def instance_query(instance_class: str, multi_az: bool, term: str = "OnDemand") -> PriceQuery:
    """A PostgreSQL instance class, matched on `instanceType` (RDS usage types abbreviate xlarge to xl)."""
    return query("AmazonRDS", term=term, product_family="Database Instance",
                 attrs={Attr.instance_type: instance_class, Attr.database_engine: "PostgreSQL",
                    Attr.deployment: "Multi-AZ" if multi_az else "Single-AZ"})


def storage_query(volume: str, deploy: str, charge: Charge) -> PriceQuery:
    return query("AmazonRDS", attrs={Attr.storage_type: volume, Attr.deployment: deploy, Attr.charge: charge})


def components(env: Environment, catalog: Catalog) -> list[Component]:
    rds = env.rds
    if rds is None:
        return []
    hours = rds.hours_per_month or env.hours_per_month
    deploy = deployment(rds)
    inst_q = instance_query(rds.instance_class, rds.multi_az)
    out = [Component(SERVICE, f"{rds.instance_class} {deploy} instance", "Hrs", fixed(hours), price=inst_q,
                     assumption=f"1 instance × {n(hours)} h")]
    out.append(Component(SERVICE, f"{rds.volume} storage ({deploy})", "GB-Mo", fixed(rds.allocated_gb),
                         price=storage_query(rds.volume, deploy, Charge.storage),
                         assumption=f"{n(rds.allocated_gb)} GB allocated"))
    if rds.volume == "gp3":
        big = rds.allocated_gb >= _GP3_THRESHOLD_GB
        base_iops, base_tp = _GP3_BASELINE[big]
        if rds.iops and rds.iops > base_iops:
            out.append(Component(SERVICE, "gp3 IOPS above baseline", "IOPS-Mo", fixed(rds.iops - base_iops),
                                 price=storage_query("gp3", deploy, Charge.iops),
                                 assumption=f"{rds.iops} IOPS − {base_iops:,} included"))
        if rds.throughput_mibps and rds.throughput_mibps > base_tp:
            out.append(Component(SERVICE, "gp3 throughput above baseline", "MiBps-Mo",
                                 fixed(rds.throughput_mibps - base_tp),
                                 price=storage_query("gp3", deploy, Charge.throughput),
                                 assumption=f"{rds.throughput_mibps} MiB/s − {base_tp} included"))
    elif rds.volume == "io1":
        out.append(Component(SERVICE, "io1 provisioned IOPS", "IOPS-Mo", fixed(rds.iops or 0),
                             price=storage_query("io1", deploy, Charge.iops),
                             assumption=f"{rds.iops or 0} IOPS provisioned"))
    if rds.backup_storage_gb.high > 0:
        out.append(Component(SERVICE, "backup storage beyond the free allowance", "GB-Mo", rds.backup_storage_gb,
                             price=query("AmazonRDS", service="RDS storage", product_family="Storage Snapshot",
                                         attrs={Attr.charge: Charge.backup}),
                             usage_based=True, free=Levels.of(rds.allocated_gb),
                             assumption=f"{n(rds.backup_storage_gb.typical)} GB of backups − {n(rds.allocated_gb)} GB "
                                        "free (100% of provisioned storage)"))
    if rds.performance_insights_retention_months > 0:
        # The retention price is per vCPU of the class: a catalog fact that sets the quantity.
        vcpu = Decimal(inst_q.resolve(catalog)[0].attributes.get("vcpu", "0"))
        months = rds.performance_insights_retention_months
        out.append(Component(SERVICE, "Performance Insights retention, first month", "vCPU-Mo", fixed(vcpu),
                             price=_insights("first"), assumption=f"{n(vcpu)} vCPU of {rds.instance_class}"))
        if months > 1:
            out.append(Component(SERVICE, "Performance Insights retention, further months", "vCPU-Mo",
                                 fixed(vcpu * (months - 1)), price=_insights("additional"),
                                 assumption=f"{n(vcpu)} vCPU × {months - 1} further months"))
    return out + rds_replicas.components(env, catalog) + burstable.components(env, catalog)


def _insights(retention: str) -> PriceQuery:
    return query("AmazonRDS", product_family="Performance Insights",
                 attrs={Attr.database_engine: "PostgreSQL", Attr.retention_month: retention})
