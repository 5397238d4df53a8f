"""One price dimension of the catalog, as stored in pricing_data/ (one JSON object per line).

Prices stay the strings AWS published; `Decimal` is only made on use, so nothing is rounded by a float.
A `stackcost.values.Value` (not pydantic, not a dataclass: `dataclasses` imports inspect and ast, which costs
more than loading the catalog here) keeps catalog loading fast. Instances are immutable, compare by value and are
as unhashable as the frozen dataclass they replace (their `attributes` is a dict).
"""

from __future__ import annotations

from stackcost.values import Value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (slow here); mypy takes it as True

if TYPE_CHECKING:
    from decimal import Decimal
    from typing import Any

TERMS = ("OnDemand", "Reserved", "SavingsPlan", "Spot", "FreeTier")

# Field names in declaration order (the order of __init__'s parameters and of repr).
FIELDS = (
    "region", "service", "service_code", "offer_code", "product_family", "usage_type", "operation", "description",
    "unit", "price_usd", "term", "attributes", "lease_years", "purchase_option", "offering_class", "upfront_usd",
    "tier_start", "tier_end", "sku", "rate_code", "upfront_rate_code", "source_repo", "source_path",
    "source_commit", "published", "published_note", "confidence", "notes",
)
_REQUIRED = frozenset(FIELDS[: FIELDS.index("attributes")])
_ALL = frozenset(FIELDS)
_DEFAULTS: dict[str, Any] = {
    "lease_years": None, "purchase_option": "", "offering_class": "", "upfront_usd": None, "tier_start": None,
    "tier_end": None, "sku": "", "rate_code": "", "upfront_rate_code": "", "source_repo": "", "source_path": "",
    "source_commit": "", "published": "", "published_note": "", "confidence": "primary", "notes": "",
}

_Decimal: type[Decimal] | None = None  # decimal.Decimal once a price is first asked for


def decimal_type() -> type[Decimal]:
    """decimal.Decimal, imported on first use (not at load) and then kept: an import statement in `price`
    would cost more than the conversion, and estimates ask for prices hundreds of times."""
    global _Decimal
    if _Decimal is None:
        from decimal import Decimal

        _Decimal = Decimal
    return _Decimal


class PriceRecord(Value):
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
    attributes: dict[str, str]
    lease_years: int | None
    purchase_option: str
    offering_class: str
    upfront_usd: str | None
    tier_start: str | None  # in `unit`; None = not tiered
    tier_end: str | None  # None = no upper bound
    sku: str
    rate_code: str
    upfront_rate_code: str
    source_repo: str
    source_path: str
    source_commit: str
    published: str  # YYYY-MM-DD, or "" when the source gives no date
    published_note: str  # the source's own wording about the date
    confidence: str  # primary | secondary | reference (another region: never a Seoul price)
    notes: str
    _fields = FIELDS

    def __init__(
        self, region: str, service: str, service_code: str, offer_code: str, product_family: str, usage_type: str,
        operation: str, description: str, unit: str, price_usd: str, term: str,
        attributes: dict[str, str] | None = None, lease_years: int | None = None, purchase_option: str = "",
        offering_class: str = "", upfront_usd: str | None = None, tier_start: str | None = None,
        tier_end: str | None = None, sku: str = "", rate_code: str = "", upfront_rate_code: str = "",
        source_repo: str = "", source_path: str = "", source_commit: str = "", published: str = "",
        published_note: str = "", confidence: str = "primary", notes: str = "",
    ) -> None:
        # Straight into the instance dict: immutability is __setattr__'s refusal, not a cost at construction.
        vars(self).update(
            region=region, service=service, service_code=service_code, offer_code=offer_code,
            product_family=product_family, usage_type=usage_type, operation=operation, description=description,
            unit=unit, price_usd=price_usd, term=term, attributes={} if attributes is None else attributes,
            lease_years=lease_years, purchase_option=purchase_option, offering_class=offering_class,
            upfront_usd=upfront_usd, tier_start=tier_start, tier_end=tier_end, sku=sku, rate_code=rate_code,
            upfront_rate_code=upfront_rate_code, source_repo=source_repo, source_path=source_path,
            source_commit=source_commit, published=published, published_note=published_note,
            confidence=confidence, notes=notes,
        )

    def __eq__(self, other: object) -> bool:  # the whole field dict at once: records are compared in bulk
        if other.__class__ is not self.__class__:
            return NotImplemented
        return vars(self) == vars(other)

    __hash__ = Value.__hash__  # like the frozen dataclass it replaces: fails on the `attributes` dict

    @property
    def price(self) -> Decimal:
        return (_Decimal or decimal_type())(self.price_usd)

    @property
    def upfront(self) -> Decimal:
        make = _Decimal or decimal_type()
        return make(self.upfront_usd) if self.upfront_usd else make(0)

    @property
    def source(self) -> str:
        return f"{self.source_repo}:{self.source_path}" if self.source_repo else self.source_path

    def sort_key(self) -> tuple[str, ...]:
        import json

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
        import json

        return json.dumps(vars(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PriceRecord:
        """A record from its JSON object (which it keeps as its own fields: the caller hands it over); TypeError
        for a missing or unexpected field, as calling the class would raise. Skips __init__'s argument binding:
        a command builds hundreds of these."""
        rec = object.__new__(cls)
        if len(data) == len(_ALL) and _ALL.issuperset(data):  # every field, as the catalog writes them
            object.__setattr__(rec, "__dict__", data)
            return rec
        keys = data.keys()
        if not _REQUIRED <= keys <= _ALL:
            raise TypeError(f"PriceRecord fields: missing {sorted(_REQUIRED - keys)}, unexpected {sorted(keys - _ALL)}")
        values = vars(rec)
        values.update(_DEFAULTS)
        values.update(data)
        if "attributes" not in data:
            values["attributes"] = {}
        return rec

    def matches(self, **attributes: str) -> bool:
        return all(self.attributes.get(k) == v for k, v in attributes.items())


def replace(rec: PriceRecord, **changes: Any) -> PriceRecord:
    """A copy of `rec` with some fields changed (what dataclasses.replace did); TypeError for an unknown field."""
    unknown = changes.keys() - _ALL
    if unknown:
        raise TypeError(f"PriceRecord has no field {sorted(unknown)[0]!r}")
    return rec.replace(**changes)
