"""NAT Gateway: hours per gateway and GB processed."""

from __future__ import annotations

from stackcost.catalog import Catalog
from stackcost.services.base import Component, fixed, n
from stackcost.sizing.model import Environment

SERVICE = "NAT Gateway"


def components(env: Environment, catalog: Catalog) -> list[Component]:
    nat = env.nat
    if nat is None or nat.gateways == 0:
        return []
    hours = env.hours_per_month
    h = catalog.price("AmazonEC2", usage_type="APN2-NatGateway-Hours")
    b = catalog.price("AmazonEC2", usage_type="APN2-NatGateway-Bytes")
    return [
        Component(SERVICE, f"{nat.gateways} NAT Gateway(s)", "Hrs", fixed(nat.gateways * hours), (h,),
                  assumption=f"{nat.gateways} gateways × {n(hours)} h"),
        Component(SERVICE, "data processed", "GB", nat.data_processed_gb, (b,), usage_based=True,
                  assumption=f"{n(nat.data_processed_gb.typical)} GB/month through the gateways"),
    ]
