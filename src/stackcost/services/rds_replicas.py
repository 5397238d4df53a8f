"""RDS PostgreSQL read replicas: each one is a Single-AZ instance of the primary's class with its own storage."""

from __future__ import annotations

from stackcost.catalog import Catalog
from stackcost.catalog.vocab import Charge
from stackcost.services import rds as rds_pricer
from stackcost.services.base import Component, fixed, n
from stackcost.sizing.model import Environment


def components(env: Environment, catalog: Catalog) -> list[Component]:
    rds = env.rds
    if rds is None or rds.read_replicas == 0:
        return []
    hours = rds.hours_per_month or env.hours_per_month
    k = rds.read_replicas
    return [
        Component(rds_pricer.SERVICE, f"{k} read replica(s) {rds.instance_class} Single-AZ", "Hrs",
                  fixed(k * hours), price=rds_pricer.instance_query(rds.instance_class, multi_az=False),
                  assumption=f"{k} replicas × {n(hours)} h (same class as the primary)"),
        Component(rds_pricer.SERVICE, f"read replica {rds.volume} storage (Single-AZ)", "GB-Mo",
                  fixed(k * rds.allocated_gb), price=rds_pricer.storage_query(rds.volume, "Single-AZ", Charge.storage),
                  assumption=f"{k} × {n(rds.allocated_gb)} GB (a replica has its own copy of the storage)"),
    ]
