"""One price dimension of the catalog, as stored in pricing_data/ (one JSON object per line).

Prices stay the strings AWS published; `Decimal` is only made on use, so nothing is rounded by a float.
A plain dataclass (not pydantic) keeps catalog loading fast: the CLI loads ~1,100 of these at start-up.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

TERMS = ("OnDemand", "Reserved", "SavingsPlan", "Spot", "FreeTier")


@dataclass(frozen=True, slots=True)
class PriceRecord:
    region: str
    service: str  # stackcost's grouping, e.g. "Fargate", "RDS storage"
    service_code: str  # the Price List ServiceCode of the priced usage, e.g. AmazonECS
    offer_code: str  # the offer that publishes the rate: AmazonECS, AWSDatabaseSavingsPlans, ...
    product_family: str
    usage_type: str
    operation: str
    description: str
    unit: str
    price_usd: str  # exactly as published
    term: str
    attributes: dict[str, str] = field(default_factory=dict)
    lease_years: int | None = None
    purchase_option: str = ""
    offering_class: str = ""
    upfront_usd: str | None = None
    tier_start: str | None = None  # in `unit`; None = not tiered
    tier_end: str | None = None  # None = no upper bound
    sku: str = ""
    rate_code: str = ""
    upfront_rate_code: str = ""
    source_repo: str = ""
    source_path: str = ""
    source_commit: str = ""
    published: str = ""  # YYYY-MM-DD, or "" when the source gives no date
    published_note: str = ""  # the source's own wording about the date
    confidence: str = "primary"  # primary | secondary | reference (another region: never a Seoul price)
    notes: str = ""

    @property
    def price(self) -> Decimal:
        return Decimal(self.price_usd)

    @property
    def upfront(self) -> Decimal:
        return Decimal(self.upfront_usd) if self.upfront_usd else Decimal(0)

    @property
    def source(self) -> str:
        return f"{self.source_repo}:{self.source_path}" if self.source_repo else self.source_path

    def sort_key(self) -> tuple[str, ...]:
        return (
            self.service_code,
            self.service,
            self.product_family,
            self.usage_type,
            self.term,
            str(self.lease_years or ""),
            self.purchase_option,
            json.dumps(self.attributes, sort_keys=True),
            self.tier_start or "",
            self.rate_code,
            self.description,
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PriceRecord:
        return cls(**data)

    def matches(self, **attributes: str) -> bool:
        return all(self.attributes.get(k) == v for k, v in attributes.items())
