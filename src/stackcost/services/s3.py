"""S3: storage per class (Standard is tiered) and requests. Egress to the internet is in data transfer."""

from __future__ import annotations

from stackcost.catalog import Catalog
from stackcost.catalog.vocab import Attr, Charge
from stackcost.registry import by_id
from stackcost.services.base import Component, n, query
from stackcost.sizing.model import Environment

SERVICE = by_id("s3").label


def components(env: Environment, catalog: Catalog) -> list[Component]:
    s3 = env.s3
    if s3 is None:
        return []
    out: list[Component] = []
    for storage_class, gb in sorted(s3.storage_gb.items()):
        # Standard storage is priced in tiers (first 50 TB, next 450 TB, over 500 TB); the other classes are flat.
        out.append(Component(SERVICE, f"{storage_class} storage", "GB-Mo", gb, usage_based=True,
                             price=query("AmazonS3", tiered=storage_class == "STANDARD",
                                         attrs={Attr.storage_class: storage_class, Attr.charge: Charge.storage}),
                             assumption=f"{n(gb.typical)} GB stored on average"))
    for label, qty, charge in (("PUT/COPY/POST/LIST requests", s3.put_requests, Charge.requests_tier1),
                               ("GET and other requests", s3.get_requests, Charge.requests_tier2)):
        if qty.high > 0:
            out.append(Component(SERVICE, label, "Requests", qty, usage_based=True,
                                 price=query("AmazonS3", attrs={Attr.storage_class: "STANDARD", Attr.charge: charge}),
                                 assumption=f"{n(qty.typical)} requests/month (Standard)"))
    return out
