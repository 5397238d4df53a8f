"""RDS PostgreSQL: instance hours, storage, provisioned IOPS/throughput, backups, Performance Insights."""

from __future__ import annotations

from decimal import Decimal

from stackcost.catalog import Catalog
from stackcost.services.base import Component, Levels, fixed, n
from stackcost.sizing.model import RDS, Environment

SERVICE = "RDS PostgreSQL"

# gp3 on RDS PostgreSQL includes a baseline that depends on the allocated size (RDS User Guide, "gp3
# storage"): below 400 GiB 3,000 IOPS and 125 MiB/s; from 400 GiB 12,000 IOPS and 500 MiB/s.
_GP3_THRESHOLD_GB = Decimal(400)
_GP3_BASELINE = {False: (3000, 125), True: (12000, 500)}


def deployment(rds: RDS) -> str:
    return "Multi-AZ" if rds.multi_az else "Single-AZ"


def instance_usage_type(instance_class: str, multi_az: bool) -> str:
    # AWS abbreviates xlarge to xl in RDS usage types (APN2-InstanceUsage:db.m6g.4xl).
    return f"APN2-{'Multi-AZUsage' if multi_az else 'InstanceUsage'}:{instance_class.replace('xlarge', 'xl')}"


def components(env: Environment, catalog: Catalog) -> list[Component]:
    rds = env.rds
    if rds is None:
        return []
    hours = rds.hours_per_month or env.hours_per_month
    deploy = deployment(rds)
    inst = catalog.price("AmazonRDS", usage_type=instance_usage_type(rds.instance_class, rds.multi_az),
                         databaseEngine="PostgreSQL")
    out = [Component(SERVICE, f"{rds.instance_class} {deploy} instance", "Hrs", fixed(hours), (inst,),
                     assumption=f"1 instance × {n(hours)} h")]
    storage = catalog.price("AmazonRDS", product_family="Database Storage", storageType=rds.volume,
                            deploymentOption=deploy, chargeType="storage")
    out.append(Component(SERVICE, f"{rds.volume} storage ({deploy})", "GB-Mo", fixed(rds.allocated_gb),
                         (storage,), assumption=f"{n(rds.allocated_gb)} GB allocated"))
    if rds.volume == "gp3":
        big = rds.allocated_gb >= _GP3_THRESHOLD_GB
        base_iops, base_tp = _GP3_BASELINE[big]
        if rds.iops and rds.iops > base_iops:
            rec = catalog.price("AmazonRDS", storageType="gp3", deploymentOption=deploy, chargeType="iops")
            out.append(Component(SERVICE, "gp3 IOPS above baseline", "IOPS-Mo", fixed(rds.iops - base_iops), (rec,),
                                 assumption=f"{rds.iops} IOPS − {base_iops:,} included"))
        if rds.throughput_mibps and rds.throughput_mibps > base_tp:
            rec = catalog.price("AmazonRDS", storageType="gp3", deploymentOption=deploy, chargeType="throughput")
            out.append(Component(SERVICE, "gp3 throughput above baseline", "MiBps-Mo",
                                 fixed(rds.throughput_mibps - base_tp), (rec,),
                                 assumption=f"{rds.throughput_mibps} MiB/s − {base_tp} included"))
    elif rds.volume == "io1":
        rec = catalog.price("AmazonRDS", storageType="io1", deploymentOption=deploy, chargeType="iops")
        out.append(Component(SERVICE, "io1 provisioned IOPS", "IOPS-Mo", fixed(rds.iops or 0), (rec,),
                             assumption=f"{rds.iops or 0} IOPS provisioned"))
    if rds.backup_storage_gb.high > 0:
        rec = catalog.price("AmazonRDS", product_family="Storage Snapshot", chargeType="backup")
        out.append(Component(SERVICE, "backup storage beyond the free allowance", "GB-Mo", rds.backup_storage_gb,
                             (rec,), usage_based=True, free=Levels.of(rds.allocated_gb),
                             assumption=f"{n(rds.backup_storage_gb.typical)} GB of backups − {n(rds.allocated_gb)} GB "
                                        "free (100% of provisioned storage)"))
    if rds.performance_insights_retention_months > 0:
        vcpu = Decimal(inst.attributes.get("vcpu", "0"))
        months = rds.performance_insights_retention_months
        first = catalog.price("AmazonRDS", product_family="Performance Insights", databaseEngine="PostgreSQL",
                              retentionMonth="first")
        out.append(Component(SERVICE, "Performance Insights retention, first month", "vCPU-Mo", fixed(vcpu),
                             (first,), assumption=f"{n(vcpu)} vCPU of {rds.instance_class}"))
        if months > 1:
            more = catalog.price("AmazonRDS", product_family="Performance Insights", databaseEngine="PostgreSQL",
                                 retentionMonth="additional")
            out.append(Component(SERVICE, "Performance Insights retention, further months", "vCPU-Mo",
                                 fixed(vcpu * (months - 1)), (more,),
                                 assumption=f"{n(vcpu)} vCPU × {months - 1} further months"))
    return out
