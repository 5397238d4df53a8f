"""AWS Price List documents built from the real Seoul prices in tests/fixtures/aws-prices (verbatim copies of
shared/aws-prices): offer files, region indexes and Pricing API answers in AWS's own layout, with the real SKUs,
rate codes and prices. Nothing here invents a price; where the source data has no identifier (Savings Plans
offering SKUs) the fixture leaves it out or names it as a fixture."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from stackcost.catalog.build import build_records
from stackcost.catalog.records import PriceRecord
from stackcost.regions import GLOBAL, rds_instance_usage_type

REGION = "ap-northeast-2"
FIXTURES = Path(__file__).parent / "fixtures"
OD_TERM = "JRTCKXETXF"
USAGE_DIM = "6YS6EN2CT7"
UPFRONT_DIM = "2TG2D8R56U"


def seoul_records() -> list[PriceRecord]:
    """Seoul's records and the global ones (CloudFront, Route 53), as a refresh of Seoul sees them."""
    return build_records(FIXTURES / "aws-prices", REGION)[0] + build_records(FIXTURES / "aws-prices", GLOBAL)[0]


def _usd(price: str) -> str:
    return format(Decimal(price), ".10f")  # AWS publishes ten decimals: "0.0465600000"


def _product_attrs(rec: PriceRecord) -> dict[str, str]:
    a = {"servicecode": rec.service_code, "regionCode": REGION, "location": "Asia Pacific (Seoul)",
         "locationType": "AWS Region", "usagetype": rec.usage_type, "operation": rec.operation}
    for k in ("instanceType", "databaseEngine", "deploymentOption", "vcpu", "memory", "licenseModel"):
        if k in rec.attributes:
            a[k] = rec.attributes[k]
    if rec.service == "ElastiCache":
        a["cacheEngine"] = "Redis"  # the reserved-node SKUs are the Redis OSS products (their on-demand is Redis)
    return a


def _dim(rec: PriceRecord, rate_code: str, price: str, unit: str) -> dict[str, Any]:
    return {"rateCode": rate_code, "description": rec.description, "unit": unit,
            "beginRange": rec.tier_start or "0", "endRange": rec.tier_end if rec.tier_end is not None else "Inf",
            "pricePerUnit": {"USD": _usd(price)}, "appliesTo": []}


def offer_document(offer: str, records: list[PriceRecord], overrides: dict[str, str] | None = None) -> dict[str, Any]:
    """The region offer file (`products` + `terms`) for the records of `offer` that carry a SKU.

    On-demand instance prices whose source gave no SKU take the SKU of the same product's reservations (one
    product, one SKU, every term), and the on-demand rate code AWS uses: SKU.JRTCKXETXF.6YS6EN2CT7."""
    overrides = overrides or {}
    mine = [r for r in records if r.offer_code == offer and r.region in (REGION, GLOBAL)]
    sku_of = {(r.usage_type, r.attributes.get("deploymentOption", "")): r.sku for r in mine
              if r.term == "Reserved" and r.sku}
    products: dict[str, Any] = {}
    terms: dict[str, dict[str, Any]] = {"OnDemand": defaultdict(dict), "Reserved": defaultdict(dict)}
    for rec in mine:
        sku, rate_code = rec.sku, rec.rate_code
        if not sku and rec.term == "OnDemand" and rec.product_family in ("Database Instance", "Cache Instance"):
            if rec.service == "ElastiCache" and rec.attributes.get("cacheEngine") != "Redis":
                continue  # no SKU known for the Valkey product
            sku = sku_of.get((rec.usage_type, rec.attributes.get("deploymentOption", "")), "")
            rate_code = f"{sku}.{OD_TERM}.{USAGE_DIM}" if sku else ""
        if not sku or not rate_code:
            continue
        products.setdefault(sku, {"sku": sku, "productFamily": rec.product_family, "attributes": _product_attrs(rec)})
        term_code = rate_code.split(".")[1]
        term_type = "Reserved" if rec.term == "Reserved" else "OnDemand"
        key = f"{sku}.{term_code}"
        term = terms[term_type][sku].setdefault(key, {
            "offerTermCode": term_code, "sku": sku, "effectiveDate": f"{rec.published or '2025-01-01'}T00:00:00Z",
            "priceDimensions": {}, "termAttributes": {}})
        price = overrides.get(rate_code, rec.price_usd)
        term["priceDimensions"][rate_code] = _dim(rec, rate_code, price, rec.unit)
        if rec.term == "Reserved":
            term["termAttributes"] = {"LeaseContractLength": f"{rec.lease_years}yr", "OfferingClass": "standard",
                                      "PurchaseOption": rec.purchase_option}
            if rec.upfront_usd and Decimal(rec.upfront_usd) > 0:
                up = rec.upfront_rate_code or f"{sku}.{term_code}.{UPFRONT_DIM}"
                term["priceDimensions"][up] = {**_dim(rec, up, rec.upfront_usd, "Quantity"),
                                               "description": "Upfront Fee", "beginRange": "0", "endRange": "Inf"}
    published = max((r.published for r in mine if r.published), default="2025-01-01")
    return {"formatVersion": "v1.0", "disclaimer": "fixture built from shared/aws-prices", "offerCode": offer,
            "version": published.replace("-", ""), "publicationDate": f"{published}T00:00:00Z",
            "products": products, "terms": {k: dict(v) for k, v in terms.items()}}


def price_list_items(doc: dict[str, Any]) -> list[str]:
    """The same products as `pricing:GetProducts` returns them: one JSON string per product with its terms."""
    out = []
    for sku, product in doc["products"].items():
        item = {"product": product, "serviceCode": doc["offerCode"],
                "terms": {t: doc["terms"][t][sku] for t in ("OnDemand", "Reserved") if sku in doc["terms"][t]},
                "version": doc["version"], "publicationDate": doc["publicationDate"]}
        out.append(json.dumps(item))
    return out


def database_sp_rates(records: list[PriceRecord]) -> list[dict[str, Any]]:
    """Database Savings Plans rates as `describe_savings_plans_offering_rates` returns them."""
    out = []
    for r in records:
        if r.offer_code != "AWSDatabaseSavingsPlans" or r.region != REGION:
            continue
        a = r.attributes
        if r.service == "RDS PostgreSQL":
            ut, op, code = rds_instance_usage_type(REGION, a["instanceType"], a["deploymentOption"] == "Multi-AZ"), \
                "CreateDBInstance:0014", "AmazonRDS"
        else:
            ut, op, code = r.usage_type, "", "AmazonElastiCache"
        out.append({"savingsPlanOffering": {"paymentOption": r.purchase_option, "planType": "Database",
                                            "durationSeconds": 31536000 * (r.lease_years or 1), "currency": "USD",
                                            "planDescription": f"{r.lease_years} year {r.purchase_option} Database "
                                                               "Savings Plan"},
                    "rate": r.price_usd, "unit": "Hrs", "serviceCode": code, "usageType": ut,
                    "operation": op, "properties": [{"name": "region", "value": REGION}]})
    return out


def database_sp_document(records: list[PriceRecord]) -> dict[str, Any]:
    """The AWSDatabaseSavingsPlans bulk file for Seoul: one plan (1yr No Upfront: the only one in the data)."""
    plan_sku = "FIXTURE-DBSP-1YR-NU"  # not in the source data: named as a fixture, not a real SKU
    rates = [{"discountedServiceCode": x["serviceCode"], "discountedUsageType": x["usageType"],
              "discountedOperation": x["operation"], "unit": x["unit"],
              "discountedRate": {"price": x["rate"], "currency": "USD"}} for x in database_sp_rates(records)]
    return {"version": "20251210", "publicationDate": "2025-12-10T00:00:00Z",
            "products": [{"sku": plan_sku, "productFamily": "DatabaseSavingsPlans",
                          "serviceCode": "DatabaseSavingsPlans",
                          "usageType": "DatabaseSP:1yrNoUpfront", "operation": "",
                          "attributes": {"purchaseOption": "No Upfront", "purchaseTerm": "1yr",
                                         "locationType": "AWS Region", "location": "Any"}}],
            "terms": {"savingsPlan": [{"sku": plan_sku, "description": "1 year No Upfront Database Savings Plan",
                                       "leaseContractLength": {"duration": 1, "unit": "year"}, "rates": rates}]}}


def spot_feed(records: list[PriceRecord]) -> dict[str, Any]:
    units = {("x86_64", "vCPU"): "vCPU-Hours", ("x86_64", "memory"): "GB-Hours"}
    return {"prices": [{"unit": units[(r.attributes["cpuArchitecture"], r.attributes["resource"])],
                        "price": {"USD": r.price_usd}, "attributes": {"aws:region": REGION}}
                       for r in records if r.offer_code == "FargateSpotFeed"]}
