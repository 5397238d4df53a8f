"""AWS Price List items (a product with its OnDemand / Reserved terms, or a Savings Plans rate) -> `Fetched` price
points. The same parser serves the Pricing API (PriceList JSON strings) and the bulk offer files (products and
terms streamed separately), so both sources give identical records."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from stackcost.catalog.refresh.errors import RefreshError
from stackcost.util import plain

# Offer term codes of Reserved terms (shared/aws-prices/README.md): term code -> (years, purchase option)
RESERVED_TERMS = {
    "4NA7Y494T4": (1, "No Upfront"), "HU7G6KETJZ": (1, "Partial Upfront"), "6QCMYABX3D": (1, "All Upfront"),
    "BPH4J8HBKS": (3, "No Upfront"), "38NPMPTW36": (3, "Partial Upfront"), "NQ3QZPMQV9": (3, "All Upfront"),
}


class PriceListFormatError(RefreshError, ValueError):
    """A Price List document that is not in AWS's format."""


@dataclass(frozen=True)
class Fetched:
    """One price dimension as published (term OnDemand / Reserved / SavingsPlan / Spot)."""

    service_code: str
    sku: str
    product_family: str
    attributes: dict[str, str]  # the product's Price List attributes (usagetype, location, instanceType, ...)
    term: str
    price_usd: str
    unit: str
    description: str
    rate_code: str = ""
    lease_years: int | None = None
    purchase_option: str = ""
    offering_class: str = ""
    upfront_usd: str | None = None
    upfront_rate_code: str = ""
    begin: str = "0"
    end: str | None = None  # None = Inf
    published: str = ""  # YYYY-MM-DD

    @property
    def usage_type(self) -> str:
        return self.attributes.get("usagetype", "")

    @property
    def tiered(self) -> bool:
        return self.begin not in ("0", "") or self.end is not None


MAX_PRICE = Decimal(10) ** 9  # no AWS unit price or upfront fee comes near; beyond it a value is not a price


def price_string(text: Any, where: str) -> str:
    shown = repr(text)[:40]
    if isinstance(text, bool | dict | list) or text is None:
        raise PriceListFormatError(f"{where}: price {shown} is not a number")
    try:
        value = Decimal(str(text)[:100])
    except (InvalidOperation, ValueError):
        raise PriceListFormatError(f"{where}: price {shown} is not a number") from None
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        raise PriceListFormatError(f"{where}: price {shown} is not a price")
    return plain(value)


def _range(text: Any) -> str | None:
    if text in (None, "", "Inf"):
        return None
    try:
        value = Decimal(str(text)[:100])
    except (InvalidOperation, ValueError):
        raise PriceListFormatError(f"tier bound {repr(text)[:40]} is not a number") from None
    if not value.is_finite() or value < 0 or value > Decimal(10) ** 18:
        raise PriceListFormatError(f"tier bound {repr(text)[:40]} is out of range")
    return plain(value)


def from_terms(product: dict[str, Any], terms: dict[str, dict[str, Any]], published: str) -> Iterator[Fetched]:
    """Price points of one product. `terms` maps "OnDemand"/"Reserved" to {offerTermKey: term}."""
    try:
        sku = product["sku"]
        family = product.get("productFamily", "")
        attrs = {k: str(v) for k, v in product.get("attributes", {}).items()}
        service_code = attrs.get("servicecode", product.get("serviceCode", ""))
    except (KeyError, AttributeError, TypeError):
        raise PriceListFormatError(f"product without sku/attributes: {str(product)[:120]}") from None
    for term_type in ("OnDemand", "Reserved"):
        for term in (terms.get(term_type) or {}).values():
            yield from _term_points(service_code, sku, family, attrs, term_type, term, published)


def _term_points(service_code: str, sku: str, family: str, attrs: dict[str, str], term_type: str,
                 term: dict[str, Any], published: str) -> Iterator[Fetched]:
    where = f"{service_code} {sku}"
    try:
        code = term["offerTermCode"]
        dims = list(term["priceDimensions"].values())
    except (KeyError, AttributeError, TypeError):
        raise PriceListFormatError(f"{where}: a {term_type} term without offerTermCode/priceDimensions") from None
    lease, option, klass = None, "", ""
    if term_type == "Reserved":
        ta = term.get("termAttributes", {})
        lease_text = ta.get("LeaseContractLength", "")
        lease = int(lease_text[0]) if lease_text[:1].isdigit() else RESERVED_TERMS.get(code, (None, ""))[0]
        option = ta.get("PurchaseOption") or RESERVED_TERMS.get(code, (None, ""))[1]
        klass = ta.get("OfferingClass", "")
    upfront = next((d for d in dims if d.get("unit") == "Quantity"), None)
    for dim in dims:
        if dim is upfront:
            continue
        try:
            price = price_string(dim["pricePerUnit"]["USD"], where)
            rate_code = dim["rateCode"]
        except (KeyError, TypeError):
            raise PriceListFormatError(f"{where}: a price dimension without pricePerUnit.USD/rateCode") from None
        yield Fetched(
            service_code=service_code, sku=sku, product_family=family, attributes=attrs, term=term_type,
            price_usd=price, unit=dim.get("unit", ""), description=dim.get("description", ""), rate_code=rate_code,
            lease_years=lease, purchase_option=option, offering_class=klass,
            upfront_usd=price_string(upfront["pricePerUnit"]["USD"], where) if upfront else ("0" if lease else None),
            upfront_rate_code=upfront["rateCode"] if upfront else "",
            begin=_range(dim.get("beginRange", "0")) or "0", end=_range(dim.get("endRange")), published=published,
        )
    if upfront is not None and len(dims) == 1:
        # All Upfront terms sometimes publish only the fee: the hourly part is then zero.
        yield Fetched(service_code=service_code, sku=sku, product_family=family, attributes=attrs, term=term_type,
                      price_usd="0", unit="Hrs", description=upfront.get("description", ""), rate_code="",
                      lease_years=lease, purchase_option=option, offering_class=klass,
                      upfront_usd=price_string(upfront["pricePerUnit"]["USD"], where),
                      upfront_rate_code=upfront["rateCode"], published=published)


def from_price_list_item(item: dict[str, Any]) -> Iterator[Fetched]:
    """One element of `pricing:GetProducts` PriceList (already json-decoded)."""
    if "product" not in item or "terms" not in item:
        raise PriceListFormatError("a PriceList item without product/terms")
    yield from from_terms(item["product"], item["terms"], str(item.get("publicationDate", ""))[:10])


def savings_plan_rate(*, plan_type: str, years: int, purchase_option: str, rate: str, unit: str, usage_type: str,
                      operation: str, service_code: str, discounted_sku: str = "", rate_code: str = "",
                      published: str = "", description: str = "") -> Fetched:
    """One Savings Plans rate for a discounted usage type (from the API or the Savings Plans bulk file)."""
    return Fetched(service_code=service_code, sku=discounted_sku, product_family="", term="SavingsPlan",
                   attributes={"usagetype": usage_type, "operation": operation, "savingsPlanType": plan_type},
                   price_usd=price_string(rate, f"{plan_type} Savings Plan {usage_type}"), unit=unit,
                   description=description, rate_code=rate_code, lease_years=years, purchase_option=purchase_option,
                   published=published)
