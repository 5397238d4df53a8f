"""`cost catalog build`: regenerate pricing_data/<region>/ from files in the shared/aws-prices layout."""

from __future__ import annotations

from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

from stackcost.catalog.records import PriceRecord
from stackcost.catalog.sources.shared import (
    BuildError,
    records_from_allowances,
    records_from_cloudfront_plans,
    records_from_prices_csv,
    records_from_rates_csv,
)
from stackcost.catalog.store import write_catalog
from stackcost.regions import DEFAULT_REGION, GLOBAL
from stackcost.registry import SERVICES

# Commitment offerings AWS sells for these services; what the data lacks is listed as a gap, never invented.
_RESERVED_COMBOS = [(lease, opt) for lease in (1, 3) for opt in ("No Upfront", "Partial Upfront", "All Upfront")]
_SAVINGS_PLANS = {
    "Compute Savings Plans (Fargate)": ("Fargate", "Compute"),
    "Database Savings Plans (RDS PostgreSQL)": ("RDS PostgreSQL", "Database"),
    "Database Savings Plans (ElastiCache Valkey)": ("ElastiCache", "Database"),
}


_GLOBAL_OFFERS = ("AmazonCloudFront", "AmazonRoute53")


def find_gaps(records: list[PriceRecord], region: str) -> list[dict[str, str]]:
    gaps: list[dict[str, str]] = []
    local = [r for r in records if r.region == region]
    reserved: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for r in local:
        if r.term == "Reserved" and r.lease_years:
            reserved[r.service].add((r.lease_years, r.purchase_option))
    for service in ("RDS PostgreSQL", "ElastiCache"):
        for lease, opt in _RESERVED_COMBOS:
            if (lease, opt) not in reserved[service]:
                gaps.append({"service": service, "term": "Reserved", "offering": f"{lease}yr {opt}",
                             "status": "not in the source data"})
    for label, (service, plan) in _SAVINGS_PLANS.items():
        found = {(r.lease_years, r.purchase_option) for r in local
                 if r.term == "SavingsPlan" and r.service == service and r.attributes.get("savingsPlanType") == plan}
        for lease, opt in _RESERVED_COMBOS:
            if (lease, opt) not in found:
                gaps.append({"service": service, "term": "SavingsPlan", "offering": f"{label} {lease}yr {opt}",
                             "status": "no rate for this region in the source data"})
    priced = {r.service for r in records if r.term != "FreeTier"}  # an allowance alone prices nothing
    for entry in SERVICES:
        if entry.catalog_services and not priced & set(entry.catalog_services) \
                and entry.offer_codes[0] not in _GLOBAL_OFFERS:
            gaps.append({"service": entry.label, "term": "OnDemand", "offering": f"{entry.label} prices",
                         "status": "no prices for this region in the source data: its lines are shown unpriced"})
    if not any(r.attributes.get("transferType") == "inter-AZ" for r in local):
        gaps.append({"service": "Data transfer", "term": "OnDemand", "offering": "inter-AZ transfer",
                     "status": "no price for this region in the source data: the line is shown unpriced"})
    spot = {r.attributes.get("cpuArchitecture") for r in local if r.term == "Spot"}
    for arch in ("x86_64", "ARM64"):
        if arch not in spot:
            gaps.append({"service": "Fargate", "term": "Spot", "offering": f"Fargate Spot {arch}",
                         "status": "no rate for this region in the source data"})
    return gaps


def prices_csv(src: Path, region: str) -> Path:
    """Seoul's prices (and the global CloudFront / Route 53 ones) are in seoul_prices.csv; the other regions'
    in regions/<region>_prices.csv (the shared/aws-prices layout)."""
    if region in (DEFAULT_REGION, GLOBAL):
        return src / "seoul_prices.csv"
    return src / "regions" / f"{region}_prices.csv"


def available_regions(src: Path) -> list[str]:
    found = [DEFAULT_REGION] if (src / "seoul_prices.csv").is_file() else []
    found += sorted(p.name.removesuffix("_prices.csv") for p in (src / "regions").glob("*_prices.csv"))
    return found


def _resource_csv(name: str) -> Path:
    # Files shipped inside the package (allowances and flat-rate plans AWS documents on its pages).
    return Path(str(resources.files("stackcost.catalog.sources") / name))


def build_records(src: Path, region: str) -> tuple[list[PriceRecord], dict[str, Any]]:
    prices = prices_csv(src, region)
    if not prices.is_file():
        raise BuildError(f"{src} has no {prices.relative_to(src)}: not a directory in the shared/aws-prices layout "
                         f"with prices for {region}")
    everything = records_from_prices_csv(prices, DEFAULT_REGION if region == GLOBAL else region)
    records = [r for r in everything if (r.region == GLOBAL) == (region == GLOBAL)]
    excluded: list[str] = []
    rates = src / "savings-plans" / "rates.csv"
    if rates.is_file() and region != GLOBAL:
        more, excluded = records_from_rates_csv(rates, region)
        records += more
    records = records_from_allowances(_resource_csv("allowances.csv"), region, records)
    if region == GLOBAL:
        records += records_from_cloudfront_plans(_resource_csv("cloudfront_plans.csv"), region)
    extra: dict[str, Any] = {
        "region": region,
        "gaps": [] if region == GLOBAL else find_gaps(records, region),
        "excluded": sorted(excluded),
        "excluded_reason": "test fixtures of other projects and superseded historical rates are not prices",
        "refreshes": {},
    }
    return records, extra


def build(src: Path, region: str, out_root: Path) -> Path:
    records, extra = build_records(src, region)
    target = out_root / region
    write_catalog(target, records, extra)
    return target


def build_all(src: Path, out_root: Path) -> list[Path]:
    """Every region the input has prices for, and the global catalog."""
    regions = available_regions(src)
    if not regions:
        raise BuildError(f"{src}: no seoul_prices.csv or regions/*_prices.csv: not the shared/aws-prices layout")
    return [build(src, r, out_root) for r in [*regions, GLOBAL]]
