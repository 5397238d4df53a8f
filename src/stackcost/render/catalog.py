"""Catalog queries and refresh diffs as tables and JSON."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from stackcost.catalog import PriceRecord
from stackcost.render.table import Col, Styled, table

CATALOG_SCHEMA_VERSION = 1



def record_json(rec: PriceRecord) -> dict[str, Any]:
    return {
        "service": rec.service, "service_code": rec.service_code, "offer_code": rec.offer_code,
        "usage_type": rec.usage_type, "description": rec.description, "term": rec.term,
        "lease_years": rec.lease_years, "purchase_option": rec.purchase_option, "unit": rec.unit,
        "price_usd": rec.price_usd, "upfront_usd": rec.upfront_usd, "tier_start": rec.tier_start,
        "tier_end": rec.tier_end, "attributes": rec.attributes, "sku": rec.sku, "rate_code": rec.rate_code,
        "region": rec.region, "confidence": rec.confidence, "published": rec.published, "source": rec.source,
    }


def search_json(records: list[PriceRecord], query: str) -> str:
    return json.dumps({"schema_version": CATALOG_SCHEMA_VERSION, "query": query, "count": len(records),
                       "records": [record_json(r) for r in records]}, indent=2, ensure_ascii=False)


def search_table(records: list[PriceRecord], query: str, width: int) -> Any:
    cols = [Col("Usage type / description", min_width=20), Col("Term", min_width=8), Col("Option", drop=3),
            Col("Price (USD)", numeric=True), Col("Unit", drop=2), Col("Upfront (USD)", numeric=True, drop=4),
            Col("Rate code", min_width=12, drop=5), Col("Published", drop=1)]
    rows = []
    for r in records:
        term = r.term + (f" {r.lease_years}yr" if r.lease_years else "")
        where = r.usage_type or r.description
        if r.region != records[0].region or r.confidence == "reference":
            where += f" [{r.region}, reference]"
        rows.append([where, term, r.purchase_option, r.price_usd, r.unit, r.upfront_usd or "",
                     r.rate_code or r.sku, r.published or r.published_note[:20]])
    return table(cols, rows, width, title=f"{len(records)} prices matching {query!r}")[0]


def refresh_table(diff: Any, width: int) -> list[Any]:
    """The refresh diff: per offer, records before/after and what changed; then the largest price changes."""
    cols = [Col("Offer", min_width=12, words=True)] + [
        Col(h, numeric=True) for h in ("Before", "After", "Added", "Removed", "Changed", "Same")] + [
        Col("Kept (no rate code)", numeric=True, drop=2), Col("Skipped (not modelled)", numeric=True, drop=1)]
    rows = [[offer, str(d.before), str(d.after), str(d.added), str(d.removed), str(d.changed), str(d.unchanged),
             str(d.kept_unmatched), str(d.skipped)] for offer, d in sorted(diff.offers.items())]
    parts: list[Any] = [table(cols, rows, width, title="Catalog refresh: changes per offer")[0]]
    changes = diff.largest_changes()
    if changes:
        ccols = [Col("Price", min_width=20), Col("Old USD", numeric=True), Col("New USD", numeric=True),
                 Col("Change", numeric=True)]
        crows = [[what, old, new, f"{Decimal(pct):+.2f}%"] for what, old, new, pct in changes]
        parts.append(table(ccols, crows, width, title="Largest price changes")[0])
    return parts


def info_table(info: dict[str, Any], width: int) -> list[Any]:
    """`cost catalog info`: per offer, records, dates, age and sources; stale offers and gaps under the table."""

    cols = [Col("Offer", min_width=12), Col("Services", min_width=12, drop=3), Col("Records", numeric=True),
            Col("Published", min_width=10), Col("Age", numeric=True), Col("Source", min_width=16, drop=4)]
    rows = []
    for o in info["offers"]:
        age = "" if o["age_days"] is None else f"{o['age_days']} d" + (" STALE" if o["stale"] else "")
        span = o["published_min"] if o["published_min"] == o["published_max"] else \
            f"{o['published_min']} – {o['published_max']}"
        regions = "" if o["regions"] in ([info["region"]], ["global"]) else f" (regions: {', '.join(o['regions'])})"
        rows.append([o["offer_code"], ", ".join(o["services"]) + regions, str(o["records"]), span, age,
                     "; ".join(o["sources"])])
    t, _ = table(cols, rows, width, title=f"Price catalog {info['region']}: {info['records']} records, published "
                                         f"{info['published_min']} to {info['published_max']}, checksums verified")
    out: list[Any] = [t]
    stale = [o["offer_code"] for o in info["offers"] if o["stale"]]
    if stale:
        out.append(Styled(f"warning: newest prices of {', '.join(stale)} are over 12 months old; refresh them with "
                        f"cost catalog refresh --region {info['region']}", style="yellow"))
    out.append(Styled(f"Missing offerings ({len(info['gaps'])}): " +
                    "; ".join(f"{g['service']} {g['offering']}" for g in info["gaps"])))
    return out
