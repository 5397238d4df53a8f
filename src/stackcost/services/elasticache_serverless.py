"""ElastiCache Serverless (Valkey, Redis OSS): GB-hours of data stored, with the metered minimum, and ECPUs."""

from __future__ import annotations

from decimal import Decimal

from stackcost.catalog import Catalog
from stackcost.registry import by_id
from stackcost.services.base import Component, n, query
from stackcost.sizing.model import Band, Environment

SERVICE = by_id("elasticache_serverless").label
ENGINE = {"redis": "Redis", "valkey": "Valkey"}
# The minimum data stored a serverless cache is metered for (ElastiCache pricing page): 1 GB for Redis OSS,
# 100 MB for Valkey (lowered when ElastiCache Serverless for Valkey launched, 2024-10).
MINIMUM_GB = {"redis": Decimal(1), "valkey": Decimal("0.1")}
PER_MILLION = Decimal(1_000_000)


def components(env: Environment, catalog: Catalog) -> list[Component]:
    sl = env.elasticache_serverless
    if sl is None:
        return []
    engine = ENGINE[sl.engine]
    hours = env.hours_per_month
    gb = sl.data_stored_gb
    least = MINIMUM_GB[sl.engine]
    billed = Band(low=max(gb.low, least), typical=max(gb.typical, least), high=max(gb.high, least))
    out = [Component(SERVICE, f"{engine} data stored", "GB-Hours", billed.scaled(hours),
                     price=query("AmazonElastiCache", product_family="ElastiCache Serverless", cacheEngine=engine,
                         chargeType="data-stored"), usage_based=True,
                     assumption=f"max({n(gb.typical)} GB, the {n(least)} GB minimum) × {n(hours)} h")]
    if sl.ecpu_millions.high > 0:
        out.append(Component(SERVICE, f"{engine} ElastiCache Processing Units", "ECPU",
                             sl.ecpu_millions.scaled(PER_MILLION),
                             price=query("AmazonElastiCache",
                                         product_family="ElastiCache Serverless", cacheEngine=engine,
                             chargeType="ecpu"), usage_based=True,
                             assumption=f"{n(sl.ecpu_millions.typical)} million ECPUs per month"))
    return out
