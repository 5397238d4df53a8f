"""Fetch prices with boto3: `pricing:GetProducts` (paginated, TERM_MATCH filters) and
`savingsplans:DescribeSavingsPlansOfferingRates`. Standard credential chain; adaptive retries on throttling."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from stackcost.catalog.refresh.classify import classify, wanted_product
from stackcost.catalog.refresh.errors import RefreshError
from stackcost.catalog.refresh.pricelist import Fetched, PriceListFormatError, from_price_list_item, savings_plan_rate

# Global offers have no regionCode; data transfer is keyed by the region it leaves.
GLOBAL_OFFERS = {"AmazonCloudFront", "AmazonRoute53"}
# The AmazonEC2 offer is huge: only the product families stackcost prices are asked for.
FAMILIES = {"AmazonEC2": ["NAT Gateway"]}
SP_TYPES = {"AWSComputeSavingsPlan": ("Compute", ["AmazonECS"]), "AWSDatabaseSavingsPlans": (
    "Database", ["AmazonRDS", "AmazonElastiCache"])}
YEAR_SECONDS = 31536000


def product_filters(offer: str, region: str) -> list[list[dict[str, str]]]:
    """One filter set per GetProducts query for an offer."""
    base = [{"Type": "TERM_MATCH", "Field": "ServiceCode", "Value": offer}]
    if offer == "AWSDataTransfer":
        base.append({"Type": "TERM_MATCH", "Field": "fromRegionCode", "Value": region})
    elif offer not in GLOBAL_OFFERS:
        base.append({"Type": "TERM_MATCH", "Field": "regionCode", "Value": region})
    families = FAMILIES.get(offer)
    if not families:
        return [base]
    return [[*base, {"Type": "TERM_MATCH", "Field": "productFamily", "Value": fam}] for fam in families]


def client_config() -> Any:
    from botocore.config import Config

    # A stalled endpoint fails in about a minute (4 attempts x (5 s connect + 12 s read)), not 10 x 60 s; adaptive
    # mode's client-side rate limiting keeps throttling from needing many attempts.
    return Config(retries={"mode": "adaptive", "max_attempts": 4}, connect_timeout=5, read_timeout=12)


def fetch_products(pricing: Any, offer: str, region: str, known_skus: set[str],
                   on_item: Callable[[int], None] | None = None) -> list[Fetched]:
    out: list[Fetched] = []
    for filters in product_filters(offer, region):
        token = None
        while True:
            kwargs: dict[str, Any] = {"ServiceCode": offer, "Filters": filters, "FormatVersion": "aws_v1",
                                      "MaxResults": 100}
            if token:
                kwargs["NextToken"] = token
            page = pricing.get_products(**kwargs)
            for text in page.get("PriceList", []):
                try:
                    item = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise RefreshError(f"{offer}: a PriceList item is not valid JSON ({exc.msg})") from None
                if wanted_product(offer, item.get("product", {}), known_skus):
                    try:
                        out += from_price_list_item(item)
                    except PriceListFormatError as exc:
                        raise RefreshError(f"{offer}: {exc}") from None
            if on_item:
                on_item(len(out))
            token = page.get("NextToken")
            if not token:
                break
    return out


def fetch_savings_plans(sp: Any, offer: str, region: str, retrieved: str) -> list[Fetched]:
    plan_type, service_codes = SP_TYPES[offer]
    out: list[Fetched] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"savingsPlanTypes": [plan_type], "serviceCodes": service_codes,
                                  "filters": [{"name": "region", "values": [region]}], "maxResults": 1000}
        if token:
            kwargs["nextToken"] = token
        page = sp.describe_savings_plans_offering_rates(**kwargs)
        for r in page.get("searchResults", []):
            offering = r.get("savingsPlanOffering", {})
            years = max(1, round(int(offering.get("durationSeconds", YEAR_SECONDS)) / YEAR_SECONDS))
            f = savings_plan_rate(plan_type=plan_type, years=years, purchase_option=offering.get("paymentOption", ""),
                                  rate=r.get("rate", ""), unit=r.get("unit", ""), usage_type=r.get("usageType", ""),
                                  operation=r.get("operation", ""), service_code=r.get("serviceCode", ""),
                                  published=retrieved, description=offering.get("planDescription", ""))
            if classify(f) is not None:
                out.append(f)
        token = page.get("nextToken")
        if not token:
            return out


def translate(exc: Exception, cached: str) -> RefreshError:
    """botocore failures -> one line that says the cached catalog is still in use."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    still = f"the cached catalog of {cached} is still in use"
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return RefreshError(f"no AWS credentials found; {still}")
    if isinstance(exc, EndpointConnectionError):
        return RefreshError(f"cannot reach the AWS Price List API ({exc.kwargs.get('endpoint_url', '')}); {still}")
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        from stackcost.safeio import cap

        return RefreshError(cap(f"AWS said {err.get('Code', '?')}: {err.get('Message', '')}", 240) + f"; {still}")
    if isinstance(exc, NoRegionError):
        return RefreshError(f"no AWS region configured; {still}")
    from stackcost.safeio import cap

    return RefreshError(cap(f"{type(exc).__name__}: {exc}", 240) + f"; {still}")
