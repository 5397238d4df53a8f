"""ECS Fargate: vCPU-hours and GB-hours per task, on-demand and Spot, plus ephemeral storage above 20 GB."""

from __future__ import annotations

from decimal import Decimal

from stackcost.autoscaling import task_band
from stackcost.catalog import Catalog, PriceRecord
from stackcost.services.base import Component, n
from stackcost.sizing.model import Environment, FargateService

SERVICE = "ECS Fargate"
_ARCH = {"x86_64": ("x86_64", ""), "arm64": ("ARM64", "ARM-")}


def components(env: Environment, catalog: Catalog) -> list[Component]:
    out: list[Component] = []
    for svc in env.fargate:
        out += _service(svc, env.hours_per_month, catalog)
    return out


def usage_type(architecture: str, resource: str) -> str:
    infix = _ARCH[architecture][1]
    return f"APN2-Fargate-{infix}{'vCPU-Hours:perCPU' if resource == 'vCPU' else 'GB-Hours'}"


def on_demand_rate(catalog: Catalog, architecture: str, resource: str) -> PriceRecord:
    """The on-demand price of a vCPU-hour or GB-hour for an architecture."""
    return catalog.price("AmazonECS", usage_type=usage_type(architecture, resource))


def _service(svc: FargateService, env_hours: Decimal, catalog: Catalog) -> list[Component]:
    hours = svc.hours_per_month or env_hours
    arch = _ARCH[svc.architecture][0]
    tasks = svc.tasks.average
    band = task_band(svc).scaled(hours)  # task-hours; high = the autoscaling maximum (issue #13)
    basis = f"{n(tasks)} tasks × {n(hours)} h"
    if band.high > band.typical:
        basis += f" (high band: {svc.tasks.max} tasks, the autoscaling maximum, all month)"
    if svc.tasks.profile:
        steps = ", ".join(f"{s.tasks} tasks {n(s.share * 100)}% of hours" for s in svc.tasks.profile)
        basis = f"profile ({steps}) = {n(tasks)} tasks on average × {n(hours)} h"
    out: list[Component] = []
    on_demand_share = 1 - svc.spot_share
    for resource, size, unit in (("vCPU", svc.vcpu, "vCPU-Hours"), ("memory", svc.memory_gb, "GB-Hours")):
        label = "vCPU" if resource == "vCPU" else "memory GB"
        if on_demand_share > 0:
            rec = on_demand_rate(catalog, svc.architecture, resource)
            share = "" if on_demand_share == 1 else f" × {n(on_demand_share * 100)}% on-demand"
            out.append(Component(SERVICE, f"{svc.name}: {label} ({svc.architecture})", unit,
                                 band.scaled(size * on_demand_share), (rec,),
                                 assumption=f"{basis} × {n(size)} {label}{share}"))
        if svc.spot_share > 0:
            rec = catalog.price("AmazonECS", term="Spot", cpuArchitecture=arch, resource=resource)
            out.append(Component(SERVICE, f"{svc.name}: {label} on Spot ({svc.architecture})", unit,
                                 band.scaled(size * svc.spot_share), (rec,),
                                 assumption=f"{basis} × {n(size)} {label} × {n(svc.spot_share * 100)}% on Spot "
                                            "(Spot prices float; tasks can be interrupted)"))
    included = catalog.free_allowance("AmazonECS", resource="ephemeralStorage")
    if svc.ephemeral_storage_gb > included:
        extra = svc.ephemeral_storage_gb - included
        rec = catalog.price("AmazonECS", usage_type="APN2-Fargate-EphemeralStorage-GB-Hours")
        out.append(Component(SERVICE, f"{svc.name}: ephemeral storage above {n(included)} GB", "GB-Hours",
                             band.scaled(extra), (rec,),
                             assumption=f"{basis} × {n(extra)} GB above the included {n(included)} GB"))
    return out
