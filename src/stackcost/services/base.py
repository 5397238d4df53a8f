"""Cost components: what a service's sizing costs, as quantities against catalog prices.

A service module is a pure function (sizing, catalog, context) -> list[Component]. It names the price it
needs through the catalog's exact lookup and never computes a price of its own; the estimate multiplies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from stackcost.catalog import PriceRecord, split_tiers
from stackcost.sizing.model import Band


@dataclass(frozen=True)
class Levels:
    """A free allowance at each band level (not ordered like a Band: what is left of it can shrink)."""

    low: Decimal
    typical: Decimal
    high: Decimal

    @classmethod
    def of(cls, value: Decimal | int | str) -> Levels:
        d = Decimal(value)
        return cls(d, d, d)


ZERO = Levels.of(0)


@dataclass(frozen=True)
class Component:
    service: str
    component: str
    unit: str
    quantity: Band
    records: tuple[PriceRecord, ...]  # one flat price, or the tiers of one price
    usage_based: bool = False
    assumption: str = ""
    free: Levels = ZERO  # a free allowance subtracted before pricing (itself a catalog record)
    free_record: PriceRecord | None = field(default=None, compare=False)

    @property
    def tiered(self) -> bool:
        return len(self.records) > 1 or self.records[0].tier_start is not None

    def cost(self, level: str = "typical") -> Decimal:
        qty: Decimal = getattr(self.quantity, level)
        free: Decimal = getattr(self.free, level)
        if not self.tiered:
            return max(qty - free, Decimal(0)) * self.records[0].price
        return sum((t.cost for t in split_tiers(qty, list(self.records), free)), Decimal(0))

    @property
    def unit_price(self) -> Decimal:
        """The price a hand calculation uses: the flat price, or the tier the typical quantity ends in."""
        if not self.tiered:
            return self.records[0].price
        charges = split_tiers(self.quantity.typical, list(self.records), self.free.typical)
        return (charges[-1].record if charges else self.records[0]).price

    @property
    def record(self) -> PriceRecord:
        """The record behind `unit_price` (its SKU and rate code are the provenance shown)."""
        if not self.tiered:
            return self.records[0]
        charges = split_tiers(self.quantity.typical, list(self.records), self.free.typical)
        return charges[-1].record if charges else self.records[0]


def fixed(value: Decimal | int) -> Band:
    return Band.of(Decimal(value))


def n(value: Decimal | int) -> str:
    """A number as people write it: 730, 0.5, 1,024."""
    d = Decimal(value).normalize()
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return format(d, ",f")
