"""S3: storage per class (Standard is tiered) and requests. Egress to the internet is in data transfer."""

from __future__ import annotations

from stackcost.catalog import Catalog
from stackcost.services.base import Component, n
from stackcost.sizing.model import Environment

SERVICE = "S3"


def components(env: Environment, catalog: Catalog) -> list[Component]:
    s3 = env.s3
    if s3 is None:
        return []
    out: list[Component] = []
    for storage_class, gb in sorted(s3.storage_gb.items()):
        if storage_class == "STANDARD":
            recs = tuple(catalog.tiers("AmazonS3", usage_type="APN2-TimedStorage-ByteHrs"))
        else:
            recs = (catalog.price("AmazonS3", storageClass=storage_class, chargeType="storage"),)
        out.append(Component(SERVICE, f"{storage_class} storage", "GB-Mo", gb, recs, usage_based=True,
                             assumption=f"{n(gb.typical)} GB stored on average"))
    for label, qty, charge in (("PUT/COPY/POST/LIST requests", s3.put_requests, "requests-tier1"),
                               ("GET and other requests", s3.get_requests, "requests-tier2")):
        if qty.high > 0:
            rec = catalog.price("AmazonS3", storageClass="STANDARD", chargeType=charge)
            out.append(Component(SERVICE, label, "Requests", qty, (rec,), usage_based=True,
                                 assumption=f"{n(qty.typical)} requests/month (Standard)"))
    return out
