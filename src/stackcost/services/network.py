"""VPC-level charges: public IPv4 addresses, inter-AZ transfer, internet egress from the region."""

from __future__ import annotations

from decimal import Decimal

from stackcost.catalog import Catalog
from stackcost.catalog.vocab import Attr, Charge
from stackcost.registry import by_id
from stackcost.services.base import Component, allowance, fixed, n, query
from stackcost.sizing.model import Band, Environment

VPC, TRANSFER = by_id("vpc").label, by_id("data_transfer").label
INTERNET_OUT: dict[str, str] = {Attr.transfer_type: "internet", Attr.direction: "out"}


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
        out.append(Component(VPC, "public IPv4 addresses", "Hrs", fixed(count * hours),
                             price=query("AmazonVPC", attrs={Attr.charge: Charge.public_ipv4_in_use}),
                             assumption=f"{why} × {n(hours)} h"))
    inter_az = env.other.inter_az_gb
    if inter_az.high > 0:
        out.append(Component(TRANSFER, "inter-AZ", "GB", inter_az.scaled(Decimal(2)),
                             price=query("AWSDataTransfer", attrs={Attr.transfer_type: "inter-AZ"}), usage_based=True,
                             assumption=f"{n(inter_az.typical)} GB/month crossing AZs, billed out and in "
                                        "(price from a secondary source)"))
    s3_out = env.s3.data_out_gb if env.s3 else Band.of(0)
    egress = Band(low=env.other.internet_out_gb.low + s3_out.low,
                  typical=env.other.internet_out_gb.typical + s3_out.typical,
                  high=env.other.internet_out_gb.high + s3_out.high)
    if egress.high > 0:
        out.append(Component(TRANSFER, "internet egress (not via CloudFront)", "GB", egress,
                             price=query("AWSDataTransfer", tiered=True, attrs=INTERNET_OUT),
                             free_price=allowance("AWSDataTransfer", attrs=INTERNET_OUT), usage_based=True,
                             assumption=f"{n(egress.typical)} GB/month − the free allowance per account, tiered"))
    return out
