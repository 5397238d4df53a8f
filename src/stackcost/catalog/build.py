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

# Commitment offerings AWS sells for these services; what the data lacks is listed as a gap, never invented.
_RESERVED_COMBOS = [(lease, opt) for lease in (1, 3) for opt in ("No Upfront", "Partial Upfront", "All Upfront")]
_SAVINGS_PLANS = {
    "Compute Savings Plans (Fargate)": ("Fargate", "Compute"),
    "Database Savings Plans (RDS PostgreSQL)": ("RDS PostgreSQL", "Database"),
    "Database Savings Plans (ElastiCache Valkey)": ("ElastiCache", "Database"),
}


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
    spot = {r.attributes.get("cpuArchitecture") for r in local if r.term == "Spot"}
    for arch in ("x86_64", "ARM64"):
        if arch not in spot:
            gaps.append({"service": "Fargate", "term": "Spot", "offering": f"Fargate Spot {arch}",
                         "status": "no rate for this region in the source data"})
    return gaps


def build_records(src: Path, region: str) -> tuple[list[PriceRecord], dict[str, Any]]:
    prices = src / "seoul_prices.csv"
    if not prices.is_file():
        raise BuildError(f"{src} has no seoul_prices.csv: not a directory in the shared/aws-prices layout")
    records = records_from_prices_csv(prices, region)
    excluded: list[str] = []
    rates = src / "savings-plans" / "rates.csv"
    if rates.is_file():
        more, excluded = records_from_rates_csv(rates, region)
        records += more
    allowances = resources.files("stackcost.catalog.sources") / "allowances.csv"
    with resources.as_file(allowances) as path:
        records += records_from_allowances(path, region)
    plans = resources.files("stackcost.catalog.sources") / "cloudfront_plans.csv"
    with resources.as_file(plans) as path:
        records += records_from_cloudfront_plans(path, region)
    extra: dict[str, Any] = {
        "region": region,
        "gaps": find_gaps(records, region),
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
