"""Merge freshly fetched prices into the catalog, and say what changed.

- A fetched price whose rate code is in the catalog updates that record (price, upfront fee, tiers, date, source);
  the record keeps its catalog attributes, so lookups behave exactly as before.
- A record a source gave without a rate code is matched by its natural key and gains the SKU and rate code.
- A new product that a classification rule describes is added.
- In a refreshed offer, a record with a rate code that the new data no longer has is removed; one without a rate
  code that nothing matched is kept (it cannot be checked) and counted as such.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from stackcost import registry
from stackcost.catalog.records import PriceRecord, replace
from stackcost.catalog.refresh.classify import classify, natural_key, record_key
from stackcost.catalog.refresh.pricelist import Fetched

SP_OFFERS = {"Compute": "AWSComputeSavingsPlan", "Database": "AWSDatabaseSavingsPlans"}
# A Savings Plans rate is stored under the service it discounts.


@dataclass
class OfferDiff:
    before: int = 0
    after: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    unchanged: int = 0
    kept_unmatched: int = 0
    skipped: int = 0  # fetched prices of products stackcost does not model
    changes: list[tuple[str, str, str, str]] = field(default_factory=list)  # (what, old, new, pct)


@dataclass
class Diff:
    offers: dict[str, OfferDiff] = field(default_factory=dict)

    def largest_changes(self, n: int = 10) -> list[tuple[str, str, str, str]]:
        every = [c for d in self.offers.values() for c in d.changes]
        return sorted(every, key=lambda c: -abs(Decimal(c[3])))[:n]


@dataclass(frozen=True)
class Source:
    kind: str  # api | bulk | spot-feed
    where: str  # endpoint or URL
    retrieved: str  # YYYY-MM-DD


def offer_of(f: Fetched) -> str:
    if f.term == "SavingsPlan":
        return SP_OFFERS.get(f.attributes.get("savingsPlanType", ""), "")
    if f.term == "Spot":
        return "FargateSpotFeed"
    return f.service_code


def _tiers(f: Fetched, old: PriceRecord | None) -> tuple[str | None, str | None]:
    if f.tiered or (old is not None and old.tier_start is not None):
        return f.begin, f.end
    return None, None


def _updated(old: PriceRecord, f: Fetched, source: Source) -> PriceRecord:
    start, end = _tiers(f, old)
    return replace(
        old, price_usd=f.price_usd, usage_type=f.usage_type or old.usage_type,
        upfront_usd=(f.upfront_usd or "0") if old.term == "Reserved" else old.upfront_usd,
        tier_start=start, tier_end=end, sku=f.sku or old.sku, rate_code=f.rate_code or old.rate_code,
        upfront_rate_code=f.upfront_rate_code or old.upfront_rate_code, source_repo="", source_path=source.where,
        source_commit="", published=f.published or source.retrieved,
        published_note=_note(f, source), confidence="primary" if old.confidence != "reference" else old.confidence,
        notes="",
    )


def _note(f: Fetched, source: Source) -> str:
    label = {"api": "AWS Price List API", "bulk": "AWS Price List bulk file", "spot-feed": "Fargate Spot feed"}
    dated = f"publication {f.published}" if f.published else "no publication date given"
    return f"{label.get(source.kind, source.kind)}, {dated}; refreshed {source.retrieved}"


def _new(f: Fetched, region: str, source: Source) -> PriceRecord | None:
    c = classify(f)
    if c is None:
        return None
    service, family, attrs = c
    start, end = _tiers(f, None)
    service_code = (registry.service_code(service) or f.service_code) if f.term == "SavingsPlan" else f.service_code
    return PriceRecord(
        region=region, service=service, service_code=service_code, offer_code=offer_of(f), product_family=family,
        usage_type=f.usage_type, operation=f.attributes.get("operation", ""),
        description=f.description or f"{f.usage_type} {f.term}", unit=f.unit, price_usd=f.price_usd, term=f.term,
        attributes=attrs, lease_years=f.lease_years, purchase_option=f.purchase_option,
        offering_class=f.offering_class, upfront_usd=(f.upfront_usd or "0") if f.term == "Reserved" else None,
        tier_start=start, tier_end=end, sku=f.sku, rate_code=f.rate_code, upfront_rate_code=f.upfront_rate_code,
        source_path=source.where, published=f.published or source.retrieved, published_note=_note(f, source),
        confidence="primary",
    )


def _fetched_key(f: Fetched) -> tuple[str, ...] | None:
    c = classify(f)
    if c is None:
        return None
    service, _, attrs = c
    code = registry.service_code(service) or f.service_code
    return natural_key(code, f.term, f.lease_years, f.purchase_option, attrs)


def _pct(old: str, new: str) -> str:
    o, n = Decimal(old), Decimal(new)
    if o == 0:
        return "0" if n == 0 else "100"
    return str(((n - o) / o * 100).quantize(Decimal("0.01")))


def merge(existing: list[PriceRecord], fetched: dict[str, list[Fetched]], region: str,
          sources: dict[str, Source]) -> tuple[list[PriceRecord], Diff]:
    """`fetched` maps each refreshed offer code to its price points; other offers are kept as they are."""
    diff = Diff()
    refreshed = set(fetched)
    keep = [r for r in existing if r.offer_code not in refreshed or r.region != region]
    out = list(keep)
    for offer in sorted(refreshed):
        d = diff.offers.setdefault(offer, OfferDiff())
        olds = [r for r in existing if r.offer_code == offer and r.region == region]
        d.before = len(olds)
        by_rate = {r.rate_code: i for i, r in enumerate(olds) if r.rate_code}
        by_key: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for i, r in enumerate(olds):
            if not r.rate_code:
                by_key[record_key(r)].append(i)
        used: set[int] = set()
        seen_rates: set[str] = set()
        for f in fetched[offer]:
            if f.rate_code and f.rate_code in seen_rates:
                continue
            seen_rates.add(f.rate_code)
            idx = by_rate.get(f.rate_code) if f.rate_code else None
            if idx is None:
                key = _fetched_key(f)
                # Tiered prices without rate codes cannot be told apart by key: match only single candidates.
                cands = [i for i in by_key.get(key, []) if i not in used] if key else []
                idx = cands[0] if len(cands) == 1 or (cands and not f.tiered) else None
            if idx is not None and idx not in used:
                old = olds[idx]
                new = _updated(old, f, sources[offer])
                used.add(idx)
                if Decimal(new.price_usd) != Decimal(old.price_usd) or (new.upfront or 0) != (old.upfront or 0):
                    d.changed += 1
                    d.changes.append((f"{offer} {old.description or old.usage_type}", old.price_usd, new.price_usd,
                                      _pct(old.price_usd, new.price_usd)))
                else:
                    d.unchanged += 1
                out.append(new)
                continue
            rec = _new(f, region, sources[offer])
            if rec is None:
                d.skipped += 1
                continue
            d.added += 1
            out.append(rec)
        for i, old in enumerate(olds):
            if i in used:
                continue
            if old.rate_code:
                d.removed += 1
            else:
                d.kept_unmatched += 1
                out.append(old)
        d.after = sum(1 for r in out if r.offer_code == offer and r.region == region)
    return out, diff
