"""Cost components: what a service's sizing costs, as quantities against catalog prices.

A service module is a pure function (environment, catalog) -> list[Component]. Each component *declares* the
price it needs as a `PriceQuery` (service code, attributes, term) and a quantity; the estimate resolves every
query against the catalog in one pass (exactly one record, the tiers of one price, or a named miss) and
multiplies. A pricer never computes a price and never builds a usage type (those differ per region).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from weakref import WeakKeyDictionary

from stackcost.catalog import Catalog, PriceNotFound, PriceRecord, split_tiers
from stackcost.sizing.model import Band
from stackcost.values import Value


class PriceQuery(Value):
    """What price a component needs: resolved by `resolve` to one record (or the tiers of one price)."""

    service_code: str
    filters: tuple[tuple[str, str], ...]
    term: str
    tiered: bool
    _fields = ("service_code", "filters", "term", "tiered")

    def __init__(self, service_code: str, filters: tuple[tuple[str, str], ...] = (), term: str = "OnDemand",
                 tiered: bool = False) -> None:
        self._set(service_code=service_code, filters=filters, term=term, tiered=tiered)

    def describe(self) -> str:
        parts = [self.service_code, *(f"{k}={v}" for k, v in self.filters)]
        if self.term != "OnDemand":
            parts.append(f"term={self.term}")
        return " ".join(parts)

    def resolve(self, catalog: Catalog) -> tuple[PriceRecord, ...]:
        """Exactly the record(s) of this price; PriceNotFound / AmbiguousPrice otherwise.

        The optimizer prices dozens of variants of one environment, asking the same queries each time: the
        answer (or the miss, with its suggestion) is kept per catalog, which does not change once loaded."""
        answers = _ANSWERS.get(catalog)
        if answers is None:
            answers = _ANSWERS[catalog] = {}
        got = answers.get(self)
        if got is None:
            try:
                got = self._lookup(catalog)
            except PriceNotFound as exc:
                got = exc
            answers[self] = got
        if isinstance(got, PriceNotFound):
            raise PriceNotFound(got.filters, got.hint)  # a fresh exception: its traceback is this call's
        return got

    def _lookup(self, catalog: Catalog) -> tuple[PriceRecord, ...]:
        kw: dict[str, Any] = dict(self.filters)
        if self.tiered:
            return tuple(catalog.tiers(self.service_code, term=self.term, **kw))
        return (catalog.price(self.service_code, term=self.term, **kw),)


# Each catalog's answers to price queries (dropped with the catalog).
_ANSWERS: WeakKeyDictionary[Catalog, dict[PriceQuery, tuple[PriceRecord, ...] | PriceNotFound]] = \
    WeakKeyDictionary()


def query(service_code: str, *, attrs: Mapping[str, str] | None = None, term: str = "OnDemand",
          tiered: bool = False, **fields: str) -> PriceQuery:
    """A price by product attributes (`attrs`, the catalog vocabulary) and record fields (product_family, ...)."""
    both = {**fields, **(attrs or {})}
    return PriceQuery(service_code, tuple(sorted((str(k), str(v)) for k, v in both.items())), term, tiered)


def allowance(service_code: str, *, attrs: Mapping[str, str] | None = None) -> PriceQuery:
    """A free allowance: a FreeTier record whose size is its tier_end."""
    return query(service_code, attrs=attrs, term="FreeTier")


class Levels(Value):
    """A free allowance at each band level (not ordered like a Band: what is left of it can shrink)."""

    low: Decimal
    typical: Decimal
    high: Decimal
    _fields = ("low", "typical", "high")

    def __init__(self, low: Decimal, typical: Decimal, high: Decimal) -> None:
        self._set(low=low, typical=typical, high=high)

    @classmethod
    def of(cls, value: Decimal | int | str) -> Levels:
        d = Decimal(value)
        return cls(d, d, d)


ZERO = Levels.of(0)


class Component(Value):
    """One priced quantity of a service: a quantity band against a catalog price (declared, then resolved)."""

    service: str
    component: str
    unit: str
    quantity: Band
    records: tuple[PriceRecord, ...]  # one flat price, or the tiers of one price (filled by `resolve`)
    usage_based: bool
    assumption: str
    free: Levels  # a free allowance subtracted before pricing (itself a catalog record)
    free_record: PriceRecord | None  # not compared
    price: PriceQuery | None  # the price this component needs, when `records` is not given
    free_price: PriceQuery | None  # the allowance subtracted, when `free_record` is not given
    _fields = ("service", "component", "unit", "quantity", "records", "usage_based", "assumption", "free",
               "free_record", "price", "free_price")
    _compare = ("service", "component", "unit", "quantity", "records", "usage_based", "assumption", "free",
                "price", "free_price")

    def __init__(self, service: str, component: str, unit: str, quantity: Band, records: tuple[PriceRecord, ...] = (),
                 usage_based: bool = False, assumption: str = "", free: Levels = ZERO,
                 free_record: PriceRecord | None = None, price: PriceQuery | None = None,
                 free_price: PriceQuery | None = None) -> None:
        self._set(service=service, component=component, unit=unit, quantity=quantity, records=records,
                  usage_based=usage_based, assumption=assumption, free=free, free_record=free_record, price=price,
                  free_price=free_price)

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


def resolve(c: Component, catalog: Catalog) -> Component:
    """The component with its price records (and allowance) looked up. Raises PriceNotFound / AmbiguousPrice."""
    updates: dict[str, object] = {}
    if not c.records:
        if c.price is None:
            raise ValueError(f"component {c.service}: {c.component} declares no price")
        updates["records"] = c.price.resolve(catalog)
    if c.free_price is not None and c.free_record is None:
        rec = c.free_price.resolve(catalog)[0]
        updates["free_record"] = rec
        if c.free == ZERO:
            updates["free"] = Levels.of(rec.tier_end or 0)
    return c.replace(**updates) if updates else c


def fixed(value: Decimal | int) -> Band:
    return Band.of(Decimal(value))


def n(value: Decimal | int) -> str:
    """A number as people write it: 730, 0.5, 1,024."""
    d = Decimal(value).normalize()
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return format(d, ",f")
