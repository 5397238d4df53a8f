"""Split a monthly quantity across tiered prices (S3 storage, CloudFront, egress, metrics ...).

Free allowances are records too (term FreeTier); the caller passes their size in, so no free amount is
written in code.
"""

from __future__ import annotations

from stackcost.catalog.records import decimal_type
from stackcost.values import Value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (slow here); mypy takes it as True

if TYPE_CHECKING:
    from decimal import Decimal

    from stackcost.catalog.records import PriceRecord


class TierCharge(Value):
    """The part of a quantity billed at one tier's price."""

    record: PriceRecord
    quantity: Decimal
    _fields = ("record", "quantity")

    def __init__(self, record: PriceRecord, quantity: Decimal) -> None:
        self._set(record=record, quantity=quantity)

    @property
    def cost(self) -> Decimal:
        return self.quantity * self.record.price


def split_tiers(quantity: Decimal, tiers: list[PriceRecord], free: Decimal | None = None) -> list[TierCharge]:
    """Quantity billed in each tier after the free allowance (none by default); tiers with nothing in them are
    left out."""
    Decimal = decimal_type()  # the class, imported on first use (not when the catalog loads)
    free = Decimal(0) if free is None else free
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
