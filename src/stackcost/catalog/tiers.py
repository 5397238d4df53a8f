"""Split a monthly quantity across tiered prices (S3 storage, CloudFront, egress, metrics ...).

Free allowances are records too (term FreeTier); the caller passes their size in, so no free amount is
written in code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from stackcost.catalog.records import PriceRecord


@dataclass(frozen=True)
class TierCharge:
    record: PriceRecord
    quantity: Decimal

    @property
    def cost(self) -> Decimal:
        return self.quantity * self.record.price


def split_tiers(quantity: Decimal, tiers: list[PriceRecord], free: Decimal = Decimal(0)) -> list[TierCharge]:
    """Quantity billed in each tier after the free allowance; tiers with nothing in them are left out."""
    billable = max(quantity - free, Decimal(0))
    out: list[TierCharge] = []
    for rec in sorted(tiers, key=lambda r: Decimal(r.tier_start or 0)):
        start = Decimal(rec.tier_start or 0)
        end = Decimal(rec.tier_end) if rec.tier_end is not None else None
        if billable <= start:
            break
        upper = billable if end is None else min(billable, end)
        out.append(TierCharge(rec, upper - start))
    return out
