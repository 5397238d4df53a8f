"""NAT Gateway: hours per gateway and GB processed."""

from __future__ import annotations

from stackcost.catalog import Catalog
from stackcost.catalog.vocab import Attr, Charge
from stackcost.registry import by_id
from stackcost.services.base import Component, fixed, n, query
from stackcost.sizing.model import Environment

SERVICE = by_id("nat").label


def components(env: Environment, catalog: Catalog) -> list[Component]:
    nat = env.nat
    if nat is None or nat.gateways == 0:
        return []
    hours = env.hours_per_month
    return [
        Component(SERVICE, f"{nat.gateways} NAT Gateway(s)", "Hrs", fixed(nat.gateways * hours),
                  price=query("AmazonEC2", product_family="NAT Gateway", attrs={Attr.charge: Charge.hours}),
                  assumption=f"{nat.gateways} gateways × {n(hours)} h"),
        Component(SERVICE, "data processed", "GB", nat.data_processed_gb, usage_based=True,
                  price=query("AmazonEC2", product_family="NAT Gateway", attrs={Attr.charge: Charge.data_processed}),
                  assumption=f"{n(nat.data_processed_gb.typical)} GB/month through the gateways"),
    ]
