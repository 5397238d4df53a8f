"""Network Load Balancer: hours and NLCU-hours, plus a public IPv4 per AZ node when internet-facing.

NLCUs for TCP traffic in an hour are the largest of three dimensions (Elastic Load Balancing pricing page):
800 new connections/s, 100,000 active connections/min, 1 GB processed per hour.
"""

from __future__ import annotations

from decimal import Decimal

from stackcost.catalog import Catalog
from stackcost.registry import by_id
from stackcost.services.base import Component, fixed, n, query
from stackcost.sizing.model import NLB, Band, Environment

SERVICE = by_id("nlb").label
NEW_CONNECTIONS_PER_NLCU = Decimal(800)
ACTIVE_CONNECTIONS_PER_NLCU = Decimal(100_000)
GB_PER_HOUR_PER_NLCU = Decimal(1)


def nlcus(nlb: NLB, level: str) -> Decimal:
    new: Decimal = getattr(nlb.new_connections_per_s, level)
    active: Decimal = getattr(nlb.active_connections_per_min, level)
    gb: Decimal = getattr(nlb.processed_gb_per_h, level)
    return max(new / NEW_CONNECTIONS_PER_NLCU, active / ACTIVE_CONNECTIONS_PER_NLCU, gb / GB_PER_HOUR_PER_NLCU)


def components(env: Environment, catalog: Catalog) -> list[Component]:
    nlb = env.nlb
    if nlb is None or nlb.load_balancers == 0:
        return []
    hours = env.hours_per_month
    lbs = nlb.load_balancers
    per_lb = Band(low=nlcus(nlb, "low"), typical=nlcus(nlb, "typical"), high=nlcus(nlb, "high"))
    out = [
        Component(SERVICE, f"{lbs} load balancer(s)", "Hrs", fixed(lbs * hours),
                  price=query("AWSELB", product_family="Load Balancer-Network", chargeType="hours"),
                  assumption=f"{lbs} NLB × {n(hours)} h"),
        Component(SERVICE, "NLCU-hours", "NLCU-Hrs", per_lb.scaled(lbs * hours),
                  price=query("AWSELB", product_family="Load Balancer-Network", chargeType="lcu"), usage_based=True,
                  assumption=f"{n(per_lb.typical)} NLCU/h = max({n(nlb.new_connections_per_s.typical)}/800 new "
                             f"conn/s, {n(nlb.active_connections_per_min.typical)}/100,000 active/min, "
                             f"{n(nlb.processed_gb_per_h.typical)} GB/h) × {n(hours)} h (TCP)"),
    ]
    if nlb.internet_facing:
        out.append(Component(SERVICE, "public IPv4 of the NLB nodes", "Hrs",
                             fixed(lbs * nlb.availability_zones * hours),
                             price=query("AmazonVPC", chargeType="public-ipv4-in-use"),
                             assumption=f"{lbs} NLB × {nlb.availability_zones} AZ node addresses × {n(hours)} h"))
    return out
