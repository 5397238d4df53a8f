"""CloudFront: tiered data transfer out of an edge group, HTTP/HTTPS requests, the always-free allowance."""

from __future__ import annotations

from decimal import Decimal

from stackcost.catalog import Catalog
from stackcost.catalog.vocab import Attr, Charge
from stackcost.registry import by_id
from stackcost.services.base import ZERO, Component, Levels, allowance, n, query
from stackcost.sizing.model import Environment

SERVICE = by_id("cloudfront").label


def components(env: Environment, catalog: Catalog) -> list[Component]:
    cf = env.cloudfront
    if cf is None:
        return []
    free_dt = free_req = None
    dt_free, req_free = ZERO, Decimal(0)
    if cf.always_free_tier:
        # The allowances decide how the free requests split between HTTPS and HTTP, so they are read here.
        free_dt = allowance("AmazonCloudFront", attrs={Attr.charge: Charge.transfer_internet}).resolve(catalog)[0]
        free_req = allowance("AmazonCloudFront", attrs={Attr.charge: Charge.requests}).resolve(catalog)[0]
        dt_free, req_free = Levels.of(free_dt.tier_end or 0), Decimal(free_req.tier_end or 0)
    free_note = f" − {n(dt_free.typical)} GB always free" if cf.always_free_tier else " (free tier off)"
    out = [Component(SERVICE, f"data transfer out ({cf.edge_group})", "GB", cf.data_out_gb,
                     price=query("AmazonCloudFront", tiered=True, attrs={Attr.edge_group: cf.edge_group,
                                                                     Attr.charge: Charge.transfer_internet}),
                     usage_based=True, free=dt_free, free_record=free_dt,
                     assumption=f"{n(cf.data_out_gb.typical)} GB/month{free_note}, tiered")]
    # The 10M free requests are shared by HTTP and HTTPS; they are set against HTTPS first (the dearer one).
    https_free = Levels(low=min(req_free, cf.https_requests.low), typical=min(req_free, cf.https_requests.typical),
                      high=min(req_free, cf.https_requests.high))
    http_free = Levels(low=req_free - https_free.low, typical=req_free - https_free.typical,
                     high=req_free - https_free.high)
    for kind, qty, free, charge in (("HTTPS", cf.https_requests, https_free, Charge.requests_https),
                                    ("HTTP", cf.http_requests, http_free, Charge.requests_http)):
        if qty.high == 0:
            continue
        note = f" − {n(free.typical)} of the free {n(req_free)}" if req_free else ""
        out.append(Component(SERVICE, f"{kind} requests ({cf.edge_group})", "Requests", qty,
                             price=query("AmazonCloudFront",
                                         attrs={Attr.edge_group: cf.edge_group, Attr.charge: charge}),
                             usage_based=True, free=free, free_record=free_req,
                             assumption=f"{n(qty.typical)} requests/month{note}"))
    return out
