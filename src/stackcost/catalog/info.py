"""`cost catalog info`: what the catalog holds, how old it is, and whether its files are intact."""

from __future__ import annotations

from datetime import date
from typing import Any

from stackcost.catalog.lookup import Catalog

INFO_SCHEMA_VERSION = 1
STALE_DAYS = 365


def catalog_info(catalog: Catalog, today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    offers = []
    every = dict(catalog.manifest["offers"])
    if catalog.global_manifest:  # CloudFront and Route 53: one price list for every region
        every.update(catalog.global_manifest["offers"])
    for code, info in sorted(every.items()):
        newest = info["published_max"]
        age = (today - date.fromisoformat(newest)).days if newest else None
        offers.append({
            "offer_code": code,
            "services": info["services"],
            "records": info["records"],
            "published_min": info["published_min"],
            "published_max": newest,
            "age_days": age,
            "stale": age is not None and age > STALE_DAYS,
            "regions": info["regions"],
            "sources": info["sources"],
            "sha256": info["sha256"],
        })
    lo, hi = catalog.published_range()
    return {
        "schema_version": INFO_SCHEMA_VERSION,
        "region": catalog.region,
        "records": len(catalog.records),
        "published_min": lo,
        "published_max": hi,
        "checksums_verified": True,  # `catalog.records` above read every offer, and a mismatch raises
        "offers": offers,
        "gaps": catalog.manifest.get("gaps", []),
        "excluded": catalog.manifest.get("excluded", []),
        "refreshes": catalog.manifest.get("refreshes", {}),
    }


def provenance(catalog: Catalog, today: date | None = None) -> dict[str, Any]:
    """How old the prices are and where they came from, for the footer of every output. Read from the manifests
    only, so it costs nothing at start-up."""
    today = today or date.today()
    offers = dict(catalog.manifest["offers"])
    if catalog.global_manifest:
        offers.update(catalog.global_manifest["offers"])
    lows = sorted(o["published_min"] for o in offers.values() if o["published_min"])
    highs = sorted(o["published_max"] for o in offers.values() if o["published_max"])
    stale = sorted(code for code, o in offers.items()
                   if o["published_max"] and (today - date.fromisoformat(o["published_max"])).days > STALE_DAYS)
    repos = sorted({src.split(":", 1)[0] for o in offers.values() for src in o["sources"]
                    if ":" in src and "/" in src.split(":", 1)[0] and not src.startswith("http")})
    refreshes = {**catalog.manifest.get("refreshes", {}), **(catalog.global_manifest or {}).get("refreshes", {})}
    return {
        "region": catalog.region,
        "published_min": lows[0] if lows else "",
        "published_max": highs[-1] if highs else "",
        "age_days": (today - date.fromisoformat(highs[-1])).days if highs else None,
        "stale_offers": stale,
        "offers": len(offers),
        "copied_by": repos,
        "refreshed_from": sorted({r.get("source", "") for r in refreshes.values()} - {""}),
        "refresh_command": f"cost catalog refresh --region {catalog.region}",
    }
