"""Split a monthly quantity across tiered prices (S3 storage, CloudFront, egress, metrics ...).

Free allowances are records too (term FreeTier); the caller passes their size in, so no free amount is
written in code.
"""

from __future__ import annotations

from stackcost.catalog.records import decimal_type

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (slow here); mypy takes it as True

if TYPE_CHECKING:
    from decimal import Decimal

    from stackcost.catalog.records import PriceRecord


class TierCharge:
    """The part of a quantity billed at one tier's price (a plain class: `dataclasses` is slow to import)."""

    __slots__ = ("quantity", "record")
    record: PriceRecord
    quantity: Decimal

    def __init__(self, record: PriceRecord, quantity: Decimal) -> None:
        object.__setattr__(self, "record", record)
        object.__setattr__(self, "quantity", quantity)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: a TierCharge is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: a TierCharge is immutable")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, TierCharge)
        return (self.record, self.quantity) == (other.record, other.quantity)

    def __hash__(self) -> int:
        return hash((self.record, self.quantity))

    def __repr__(self) -> str:
        return f"TierCharge(record={self.record!r}, quantity={self.quantity!r})"

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
