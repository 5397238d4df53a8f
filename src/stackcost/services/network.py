"""VPC-level charges: public IPv4 addresses, inter-AZ transfer, internet egress from the region."""

from __future__ import annotations

from decimal import Decimal

from stackcost.catalog import Catalog
from stackcost.services.base import Component, Levels, fixed, n
from stackcost.sizing.model import Band, Environment


def public_ipv4_count(env: Environment) -> tuple[int, str]:
    nat = env.nat.gateways if env.nat else 0
    alb = env.alb.load_balancers * env.alb.availability_zones if env.alb and env.alb.internet_facing else 0
    extra = env.other.extra_public_ipv4
    return nat + alb + extra, f"{nat} NAT Elastic IPs + {alb} ALB node addresses + {extra} other"


def components(env: Environment, catalog: Catalog) -> list[Component]:
    out: list[Component] = []
    hours = env.hours_per_month
    count, why = public_ipv4_count(env)
    if count:
        rec = catalog.price("AmazonVPC", chargeType="public-ipv4-in-use")
        out.append(Component("VPC", "public IPv4 addresses", "Hrs", fixed(count * hours), (rec,),
                             assumption=f"{why} × {n(hours)} h"))
    inter_az = env.other.inter_az_gb
    if inter_az.high > 0:
        rec = catalog.price("AWSDataTransfer", transferType="inter-AZ")
        out.append(Component("Data transfer", "inter-AZ", "GB", inter_az.scaled(Decimal(2)), (rec,), usage_based=True,
                             assumption=f"{n(inter_az.typical)} GB/month crossing AZs, billed out and in "
                                        "(price from a secondary source)"))
    s3_out = env.s3.data_out_gb if env.s3 else Band.of(0)
    egress = Band(low=env.other.internet_out_gb.low + s3_out.low,
                  typical=env.other.internet_out_gb.typical + s3_out.typical,
                  high=env.other.internet_out_gb.high + s3_out.high)
    if egress.high > 0:
        tiers = tuple(catalog.tiers("AWSDataTransfer", usage_type="APN2-DataTransfer-Out-Bytes"))
        free_rec = catalog.free_allowance_record("AWSDataTransfer", usage_type="APN2-DataTransfer-Out-Bytes")
        free = Levels.of(free_rec.tier_end or 0)
        out.append(Component("Data transfer", "internet egress (not via CloudFront)", "GB", egress, tiers,
                             usage_based=True, free=free, free_record=free_rec,
                             assumption=f"{n(egress.typical)} GB/month − {n(free.typical)} GB free per account, "
                                        "tiered"))
    return out
