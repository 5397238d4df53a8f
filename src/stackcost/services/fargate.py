"""ECS Fargate: vCPU-hours and GB-hours per task, on-demand and Spot, plus ephemeral storage above 20 GB."""

from __future__ import annotations

from decimal import Decimal

from stackcost.autoscaling import task_band
from stackcost.catalog import Catalog, PriceRecord
from stackcost.catalog.vocab import Attr
from stackcost.registry import by_id
from stackcost.services.base import Component, PriceQuery, allowance, n, query
from stackcost.sizing.model import Environment, FargateService

SERVICE = by_id("fargate").label
ARCHITECTURE = {"x86_64": "x86_64", "arm64": "ARM64"}  # the sizing's names -> the Price List's cpuArchitecture


def rate_query(architecture: str, resource: str, term: str = "OnDemand") -> PriceQuery:
    """The price of a Linux vCPU-hour or GB-hour (`resource` vCPU | memory) for an architecture."""
    return query("AmazonECS", term=term, attrs={Attr.cpu_architecture: ARCHITECTURE[architecture],
                                            Attr.resource: resource, Attr.operating_system: "Linux"})


def on_demand_rate(catalog: Catalog, architecture: str, resource: str) -> PriceRecord:
    return rate_query(architecture, resource).resolve(catalog)[0]


def components(env: Environment, catalog: Catalog) -> list[Component]:
    out: list[Component] = []
    for svc in env.fargate:
        out += _service(svc, env.hours_per_month, catalog)
    return out


def _service(svc: FargateService, env_hours: Decimal, catalog: Catalog) -> list[Component]:
    hours = svc.hours_per_month or env_hours
    tasks = svc.tasks.average
    band = task_band(svc).scaled(hours)  # task-hours; high = the autoscaling maximum all month
    basis = f"{n(tasks)} tasks × {n(hours)} h"
    if svc.tasks.profile:
        steps = ", ".join(f"{s.tasks} tasks {n(s.share * 100)}% of hours" for s in svc.tasks.profile)
        basis = f"profile ({steps}) = {n(tasks)} tasks on average × {n(hours)} h"
    if band.high > band.typical:
        basis += f" (high band: {svc.tasks.max} tasks, the autoscaling maximum, all month)"
    out: list[Component] = []
    on_demand_share = 1 - svc.spot_share
    for resource, size, unit in (("vCPU", svc.vcpu, "vCPU-Hours"), ("memory", svc.memory_gb, "GB-Hours")):
        label = "vCPU" if resource == "vCPU" else "memory GB"
        if on_demand_share > 0:
            share = "" if on_demand_share == 1 else f" × {n(on_demand_share * 100)}% on-demand"
            out.append(Component(SERVICE, f"{svc.name}: {label} ({svc.architecture})", unit,
                                 band.scaled(size * on_demand_share),
                                 price=rate_query(svc.architecture, resource),
                                 assumption=f"{basis} × {n(size)} {label}{share}"))
        if svc.spot_share > 0:
            out.append(Component(SERVICE, f"{svc.name}: {label} on Spot ({svc.architecture})", unit,
                                 band.scaled(size * svc.spot_share),
                                 price=rate_query(svc.architecture, resource, term="Spot"),
                                 assumption=f"{basis} × {n(size)} {label} × {n(svc.spot_share * 100)}% on Spot "
                                            "(Spot prices float; tasks can be interrupted)"))
    # The included ephemeral storage is a catalog fact that decides whether there is a line at all.
    included_q = allowance("AmazonECS", attrs={Attr.resource: "ephemeralStorage"})
    included = Decimal(included_q.resolve(catalog)[0].tier_end or 0)
    if svc.ephemeral_storage_gb > included:
        extra = svc.ephemeral_storage_gb - included
        out.append(Component(SERVICE, f"{svc.name}: ephemeral storage above {n(included)} GB", "GB-Hours",
                             band.scaled(extra),
                             price=query("AmazonECS", attrs={Attr.resource: "ephemeralStorage",
                                                         Attr.operating_system: "Linux"}),
                             assumption=f"{basis} × {n(extra)} GB above the included {n(included)} GB"))
    return out
