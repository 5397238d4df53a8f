"""ElastiCache: node hours per engine (Redis OSS or Valkey)."""

from __future__ import annotations

from stackcost.catalog import Catalog
from stackcost.catalog.vocab import Attr
from stackcost.registry import by_id
from stackcost.services.base import Component, PriceQuery, fixed, n, query
from stackcost.sizing.model import Environment

SERVICE = by_id("elasticache").label
ENGINE = {"redis": "Redis", "valkey": "Valkey"}


def node_query(node_type: str, engine: str, term: str = "OnDemand") -> PriceQuery:
    """A cache node type; `engine` is the Price List's cacheEngine (Redis, Valkey; reserved nodes: any)."""
    return query("AmazonElastiCache", term=term, product_family="Cache Instance",
                 attrs={Attr.instance_type: node_type, Attr.cache_engine: engine})


def components(env: Environment, catalog: Catalog) -> list[Component]:
    ec = env.elasticache
    if ec is None:
        return []
    hours = env.hours_per_month
    return [Component(SERVICE, f"{ec.nodes} × {ec.node_type} {ENGINE[ec.engine]} node", "Hrs",
                      fixed(ec.nodes * hours), price=node_query(ec.node_type, ENGINE[ec.engine]),
                      assumption=f"{ec.nodes} nodes × {n(hours)} h")]
