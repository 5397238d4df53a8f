"""Application Load Balancer: hours and LCU-hours.

An ALB's LCUs in an hour are the largest of four dimensions (Elastic Load Balancing pricing page): 25 new
connections/s, 3,000 active connections/min, 1 GB processed per hour (EC2, container and IP targets), and
1,000 rule evaluations/s, where rule evaluations = requests/s × (rules processed − 10 free rules).
"""

from __future__ import annotations

from decimal import Decimal

from stackcost.catalog import Catalog
from stackcost.catalog.vocab import Attr, Charge
from stackcost.registry import by_id
from stackcost.services.base import Component, PriceQuery, fixed, n, query
from stackcost.sizing.model import ALB, Band, Environment

SERVICE = by_id("alb").label
NEW_CONNECTIONS_PER_LCU = Decimal(25)
ACTIVE_CONNECTIONS_PER_LCU = Decimal(3000)
GB_PER_HOUR_PER_LCU = Decimal(1)
RULE_EVALUATIONS_PER_LCU = Decimal(1000)
FREE_RULES = 10


def lcus(new_per_s: Decimal, active_per_min: Decimal, gb_per_h: Decimal, requests_per_s: Decimal,
         rules: int) -> Decimal:
    """LCUs for one hour of one ALB."""
    rule_evaluations = requests_per_s * max(rules - FREE_RULES, 0)
    return max(new_per_s / NEW_CONNECTIONS_PER_LCU, active_per_min / ACTIVE_CONNECTIONS_PER_LCU,
               gb_per_h / GB_PER_HOUR_PER_LCU, rule_evaluations / RULE_EVALUATIONS_PER_LCU)


def lcu_band(alb: ALB) -> Band:
    def at(level: str) -> Decimal:
        return lcus(getattr(alb.new_connections_per_s, level), getattr(alb.active_connections_per_min, level),
                    getattr(alb.processed_gb_per_h, level), getattr(alb.requests_per_s, level), alb.rules)
    return Band(low=at("low"), typical=at("typical"), high=at("high"))


def components(env: Environment, catalog: Catalog) -> list[Component]:
    alb = env.alb
    if alb is None or alb.load_balancers == 0:
        return []
    hours = env.hours_per_month
    per_lb = lcu_band(alb)
    t = per_lb.typical
    return [
        Component(SERVICE, f"{alb.load_balancers} load balancer(s)", "Hrs", fixed(alb.load_balancers * hours),
                  price=_alb(Charge.hours),
                  assumption=f"{alb.load_balancers} ALB × {n(hours)} h"),
        Component(SERVICE, "LCU-hours", "LCU-Hrs", per_lb.scaled(alb.load_balancers * hours),
                  price=_alb(Charge.lcu),
                  usage_based=True,
                  assumption=f"{n(t)} LCU/h = max({n(alb.new_connections_per_s.typical)}/25 new conn/s, "
                             f"{n(alb.active_connections_per_min.typical)}/3,000 active/min, "
                             f"{n(alb.processed_gb_per_h.typical)} GB/h, "
                             f"{n(alb.requests_per_s.typical)} req/s × {max(alb.rules - FREE_RULES, 0)} "
                             f"paid rules/1,000) × {n(hours)} h"),
    ]


def _alb(charge: Charge) -> PriceQuery:
    return query("AWSELB", product_family="Load Balancer-Application",
                 attrs={Attr.load_balancer_type: "application", Attr.charge: charge})
