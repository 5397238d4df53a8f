"""The public Price List bulk files: offer index -> the offer's region index -> the region's offer file, and the
Savings Plans region index for AWSComputeSavingsPlan / AWSDatabaseSavingsPlans. Offer files are downloaded to a
temporary file and parsed streaming (ijson), so memory stays bounded whatever the file size: only the products
stackcost keeps, and one term or plan at a time, are ever held."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from stackcost.catalog.refresh.classify import classify, wanted_product
from stackcost.catalog.refresh.errors import RefreshError
from stackcost.catalog.refresh.http import Http
from stackcost.catalog.refresh.pricelist import Fetched, PriceListFormatError, from_terms, savings_plan_rate

DEFAULT_ENDPOINT = "https://pricing.us-east-1.amazonaws.com"
_PUBLISHED = re.compile(rb'"publicationDate"\s*:\s*"(\d{4}-\d{2}-\d{2})')

Progress = Callable[[str, int, int | None, int], None]  # (label, bytes, total, records kept)


# What a document of the wrong shape raises when indexed as the Price List's (a list where an object should be, a
# missing key, a number where a URL should be): each becomes one "not in the Price List format" line.
_SHAPE_ERRORS = (KeyError, TypeError, AttributeError, ValueError, IndexError)


def offer_file_url(http: Http, endpoint: str, offer: str, region: str) -> str:
    index_url = f"{endpoint.rstrip('/')}/offers/v1.0/aws/index.json"
    index = http.json(index_url)
    offers = index.get("offers") if isinstance(index, dict) else None
    if not isinstance(offers, dict):
        raise RefreshError(f"{index_url}: not a Price List offer index (no 'offers' object)")
    entry = offers.get(offer)
    if not isinstance(entry, dict):
        raise RefreshError(f"{index_url}: the offer index has no {offer}")
    region_index_url = urljoin(endpoint + "/", str(entry.get("currentRegionIndexUrl", "")))
    region_index = http.json(region_index_url)
    try:
        regions = region_index.get("regions", {})
        info = regions.get(region) if isinstance(regions, dict) else None
        if info is None:
            # Global offers (CloudFront, Route 53) publish one file for every location.
            return urljoin(endpoint + "/", str(entry["currentVersionUrl"]))
        return urljoin(endpoint + "/", str(info["currentVersionUrl"]))
    except _SHAPE_ERRORS:
        raise RefreshError(f"{region_index_url}: not a Price List region index (no {region} version URL)") \
            from None


def savings_plan_file_url(http: Http, endpoint: str, offer: str, region: str) -> str:
    url = f"{endpoint.rstrip('/')}/savingsPlan/v1.0/aws/{offer}/current/region_index.json"
    doc = http.json(url)
    regions = doc.get("regions", []) if isinstance(doc, dict) else None
    if not isinstance(regions, list):
        raise RefreshError(f"{url}: not a Savings Plans region index (no 'regions' list)")
    for r in regions:
        if isinstance(r, dict) and r.get("regionCode") == region:
            if not isinstance(r.get("versionUrl"), str):
                raise RefreshError(f"{url}: the {region} entry has no versionUrl")
            return urljoin(endpoint + "/", str(r["versionUrl"]))
    raise RefreshError(f"{url}: no {region} in the {offer} region index")


def _published(path: Path) -> str:
    with path.open("rb") as fh:
        m = _PUBLISHED.search(fh.read(65536))
    return m.group(1).decode() if m else ""


def _first_line(exc: Exception) -> str:
    """yajl's messages draw a multi-line caret diagram: keep its first line."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0].strip()


def _ijson_errors() -> tuple[type[Exception], ...]:
    import ijson

    return (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError)


def parse_offer_file(path: Path, offer: str, known_skus: set[str], url: str = "",
                     on_kept: Callable[[int], None] | None = None) -> list[Fetched]:
    """Products (kept ones only), then their OnDemand and Reserved terms, each streamed in its own pass."""
    import ijson

    published = _published(path)
    products: dict[str, dict[str, Any]] = {}
    out: list[Fetched] = []
    try:
        with path.open("rb") as fh:
            for sku, product in ijson.kvitems(fh, "products", use_float=False):
                if wanted_product(offer, product, known_skus):
                    products[sku] = product
        for term_type in ("OnDemand", "Reserved"):
            with path.open("rb") as fh:
                for sku, terms in ijson.kvitems(fh, f"terms.{term_type}", use_float=False):
                    product = products.get(sku)
                    if product is not None:
                        out += from_terms(product, {term_type: terms}, published)
                        if on_kept:
                            on_kept(len(out))
    except _ijson_errors() as exc:
        raise RefreshError(f"{url or path}: malformed JSON ({_first_line(exc)[:80]})") from None
    except PriceListFormatError as exc:
        raise RefreshError(f"{url or path}: {exc}") from None
    except (*_SHAPE_ERRORS, ArithmeticError) as exc:
        raise RefreshError(f"{url or path}: not in the Price List offer file format ({type(exc).__name__})") \
            from None
    if not products:
        raise RefreshError(f"{url or path}: no {offer} products stackcost prices (is it an offer file?)")
    return out


def _plan_terms(path: Path) -> dict[str, tuple[int, str]]:
    import ijson

    plans: dict[str, tuple[int, str]] = {}
    with path.open("rb") as fh:
        for product in ijson.items(fh, "products.item", use_float=False):
            a = product.get("attributes", {})
            term = str(a.get("purchaseTerm", "1yr"))
            plans[product["sku"]] = (int(term[0]) if term[:1].isdigit() else 1, a.get("purchaseOption", ""))
    return plans


def parse_savings_plan_file(path: Path, offer: str, plan_type: str, url: str = "",
                            on_kept: Callable[[int], None] | None = None) -> list[Fetched]:
    import ijson

    published = _published(path)
    out: list[Fetched] = []
    try:
        plans = _plan_terms(path)
        with path.open("rb") as fh:
            for plan in ijson.items(fh, "terms.savingsPlan.item", use_float=False):
                years, option = plans.get(plan.get("sku", ""), (1, ""))
                for f in _rates(plan, plan_type, years, option, published):
                    out.append(f)
                if on_kept:
                    on_kept(len(out))
    except _ijson_errors() as exc:
        raise RefreshError(f"{url or path}: malformed JSON ({_first_line(exc)[:80]})") from None
    except (PriceListFormatError, *_SHAPE_ERRORS, ArithmeticError) as exc:
        raise RefreshError(f"{url or path}: not a Savings Plans offer file ({str(exc)[:80] or type(exc).__name__})") \
            from None
    return out


def _rates(plan: dict[str, Any], plan_type: str, years: int, option: str, published: str) -> Iterator[Fetched]:
    for r in plan.get("rates", []):
        f = savings_plan_rate(plan_type=plan_type, years=years, purchase_option=option,
                              rate=r["discountedRate"]["price"], unit=r.get("unit", ""),
                              usage_type=r.get("discountedUsageType", ""), operation=r.get("discountedOperation", ""),
                              service_code=r.get("discountedServiceCode", ""),
                              discounted_sku=r.get("discountedSku", ""),
                              rate_code=r.get("rateCode", ""), published=published,
                              description=plan.get("description", ""))
        if classify(f) is not None:
            yield f


def fetch_bulk(http: Http, endpoint: str, offers: list[str], region: str, known_skus: dict[str, set[str]],
               progress: Progress | None = None) -> tuple[dict[str, list[Fetched]], dict[str, str]]:
    """Offer code -> price points, and offer code -> the URL they came from."""
    from stackcost.catalog.refresh.api import SP_TYPES

    fetched: dict[str, list[Fetched]] = {}
    urls: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="stackcost-bulk-") as tmp:
        for offer in offers:
            is_sp = offer in SP_TYPES
            url = (savings_plan_file_url if is_sp else offer_file_url)(http, endpoint, offer, region)
            dest = Path(tmp) / f"{offer}.json"

            def on_bytes(got: int, total: int | None, offer: str = offer) -> None:
                if progress:
                    progress(offer, got, total, 0)

            def on_kept(n: int, offer: str = offer, dest: Path = dest) -> None:
                if progress:
                    size = dest.stat().st_size
                    progress(offer, size, size, n)

            http.download(url, dest, on_bytes)
            if is_sp:
                fetched[offer] = parse_savings_plan_file(dest, offer, SP_TYPES[offer][0], url, on_kept)
            else:
                fetched[offer] = parse_offer_file(dest, offer, known_skus.get(offer, set()), url, on_kept)
            dest.unlink()
            urls[offer] = url
    return fetched, urls
