"""ElastiCache: node hours per engine (Redis OSS or Valkey)."""

from __future__ import annotations

from stackcost.catalog import Catalog
from stackcost.services.base import Component, fixed, n
from stackcost.sizing.model import Environment

SERVICE = "ElastiCache"
ENGINE = {"redis": "Redis", "valkey": "Valkey"}


def components(env: Environment, catalog: Catalog) -> list[Component]:
    ec = env.elasticache
    if ec is None:
        return []
    rec = catalog.price("AmazonElastiCache", usage_type=f"APN2-NodeUsage:{ec.node_type}", cacheEngine=ENGINE[ec.engine])
    hours = env.hours_per_month
    return [Component(SERVICE, f"{ec.nodes} × {ec.node_type} {ENGINE[ec.engine]} node", "Hrs",
                      fixed(ec.nodes * hours), (rec,), assumption=f"{ec.nodes} nodes × {n(hours)} h")]
