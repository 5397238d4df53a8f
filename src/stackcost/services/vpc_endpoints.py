"""VPC interface endpoints: an hourly charge per endpoint per availability zone, and data processed (tiered).
Gateway endpoints (S3, DynamoDB) have no charge and are not listed."""

from __future__ import annotations

from stackcost.catalog import Catalog
from stackcost.registry import by_id
from stackcost.services.base import Component, fixed, n, query
from stackcost.sizing.model import Environment

SERVICE = by_id("vpc_endpoints").label


def components(env: Environment, catalog: Catalog) -> list[Component]:
    ep = env.vpc_endpoints
    if ep is None or ep.interface_endpoints == 0:
        return []
    hours = env.hours_per_month
    enis = ep.interface_endpoints * ep.availability_zones
    out = [Component(SERVICE, f"{ep.interface_endpoints} interface endpoint(s) × {ep.availability_zones} AZ", "Hrs",
                     fixed(enis * hours), price=query("AmazonVPC", chargeType="interface-endpoint-hours"),
                     assumption=f"{ep.interface_endpoints} endpoints × {ep.availability_zones} AZs × {n(hours)} h")]
    if ep.data_processed_gb.high > 0:
        out.append(Component(SERVICE, "data processed", "GB", ep.data_processed_gb,
                             price=query("AmazonVPC",
                                         chargeType="interface-endpoint-data", tiered=True), usage_based=True,
                             assumption=f"{n(ep.data_processed_gb.typical)} GB/month through the endpoints "
                                        "(tiered per region)"))
    return out
