"""AWS Price List documents built from the real Seoul prices in tests/fixtures/aws-prices (verbatim copies of
shared/aws-prices): offer files, region indexes and Pricing API answers in AWS's own layout, with the real SKUs,
rate codes and prices. Nothing here invents a price; where the source data has no identifier (Savings Plans
offering SKUs) the fixture leaves it out or names it as a fixture."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from stackcost.catalog.build import build_records
from stackcost.catalog.records import PriceRecord
from stackcost.regions import GLOBAL

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
                "terms": {t: doc["terms"][t][sku] for t in ("OnDemand", "Reserved") if sku in doc["terms"].get(t, {})},
                "version": doc["version"], "publicationDate": doc["publicationDate"]}
        out.append(json.dumps(item))
    return out


def database_sp_rates(records: list[PriceRecord]) -> list[dict[str, Any]]:
    """Database Savings Plans rates as `describe_savings_plans_offering_rates` returns them."""
    out = []
    for r in records:
        if r.offer_code != "AWSDatabaseSavingsPlans" or r.region != REGION:
            continue
        # The usage type as the source data writes it (AWS abbreviates RDS "xlarge" to "xl").
        if r.service == "RDS PostgreSQL":
            ut, op, code = r.usage_type, "CreateDBInstance:0014", "AmazonRDS"
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


# -- the published price strings, read with the csv module (independent of the catalog code) ------------------

SEOUL_CSV = FIXTURES / "aws-prices" / "seoul_prices.csv"
RATES_CSV = FIXTURES / "aws-prices" / "savings-plans" / "rates.csv"


@cache
def published_rows() -> tuple[dict[str, str], ...]:
    with SEOUL_CSV.open(newline="", encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


@cache
def rate_rows() -> tuple[dict[str, str], ...]:
    with RATES_CSV.open(newline="", encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def published_price(service: str, description: str, term: str = "OnDemand") -> Decimal:
    """The one price string of seoul_prices.csv with this `service` and `description` columns."""
    found = [r["price_usd"] for r in published_rows()
             if r["service"] == service and r["description"] == description and r["term"] == term]
    assert len(found) == 1, (service, description, found)
    return Decimal(found[0])



# -- production of the preset, priced by hand -------------------------------------------------------------------
# Quantities are read off presets/hospital-erp.yaml (typical values) by hand; prices are the published strings of
# seoul_prices.csv. Each line is rounded half-up to the cent, as the estimate states it does.

def _cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def production_lines_by_hand() -> list[tuple[str, str, Decimal]]:
    """(service label, component prefix, monthly USD) for every line of `production`."""
    p = published_price
    h = Decimal(730)
    logs = p("CloudWatch", "CloudWatch Logs standard ingestion")  # APN2-DataProcessing-Bytes 0.76/GB
    lines = [
        # 2 tasks × 730 h × 2 vCPU / 4 GB
        ("ECS Fargate", "api: vCPU", 2 * h * 2 * p("Fargate", "Fargate Linux/x86 vCPU")),
        ("ECS Fargate", "api: memory", 2 * h * 4 * p("Fargate", "Fargate Linux/x86 memory")),
        ("RDS PostgreSQL", "db.t3.medium Multi-AZ", h * p(
            "RDS PostgreSQL", "db.t3.medium PostgreSQL Multi-AZ on-demand")),
        ("RDS PostgreSQL", "gp3 storage", 100 * p("RDS storage", "gp3 storage Multi-AZ")),
        # 120 GB of backups, the first 100 GB (= allocated storage) free
        ("RDS PostgreSQL", "backup", (120 - 100) * p(
            "RDS storage", "backup/snapshot storage beyond free allocation (RDS, non-Aurora)")),
        ("ElastiCache", "2 × cache.t3.micro", 2 * h * p("ElastiCache", "cache.t3.micro Redis node on-demand")),
        ("NAT Gateway", "2 NAT", 2 * h * p("NAT Gateway", "Hourly charge for NAT Gateways")),
        ("NAT Gateway", "data processed", 100 * p("NAT Gateway", "Charge for per GB data processed by NatGateways")),
        ("ALB", "1 load balancer", h * p("Elastic Load Balancing", "Application Load Balancer Hours")),
        # LCU/h = max(2 new/s ÷ 25, 300 active/min ÷ 3,000, 0.2 GB/h, 2 rules ≤ 10 free → 0) = 0.2
        ("ALB", "LCU", Decimal("0.2") * h * p("Elastic Load Balancing", "Application Load Balancer LCU Hours")),
        # 100 GB and 3,000,000 HTTPS requests: inside the always-free 1 TB and 10,000,000 requests
        ("CloudFront", "data transfer", Decimal(0)),
        ("CloudFront", "HTTPS", Decimal(0)),
        ("S3", "STANDARD storage", 50 * p("S3", "Standard Storage First 50 TB per GB Mo")),
        ("S3", "PUT", 100_000 * p("S3", "PUT COPY/POST or LIST requests per Requests")),
        ("S3", "GET", 1_000_000 * p("S3", "GET and all other requests per Requests")),
        # CloudWatch's always-free tier, once per account (production comes first in the account): 5 GB of log
        # ingestion and 5 GB of archive storage, 10 metrics, 10 alarm metrics
        ("CloudWatch", "application logs", (30 - 5) * logs),
        ("CloudWatch", "PostgreSQL logs", 20 * logs),
        ("CloudWatch", "RDS Enhanced Monitoring", Decimal("0.5") * logs),
        ("CloudWatch", "Container Insights", 1 * logs),
        ("CloudWatch", "log storage", (100 - 5) * p(
            "CloudWatch", 'CloudWatch Logs stored data (pricing-page key "Stored Data")')),
        # AWS's ECS Container Insights metric table, one Fargate service: 37 metric × dimension sets; 10 free
        ("CloudWatch", "metrics", (37 - 10) * p("CloudWatch", "custom metrics first 10,000")),
        # 3 alarms + 2 of the target-tracking policy = 5, inside the 10 free alarm metrics
        ("CloudWatch", "standard alarms", Decimal(0)),
        # X-Ray default sampling at 5 requests/s: 1/s + 5 % of the other 4/s = 1.2 traces/s × 3,600 × 730 h
        # = 3,153,600 a month, less the 100,000 always free
        ("X-Ray", "traces recorded",
         (Decimal("1.2") * 3600 * h - 100_000) * p("X-Ray", "X-Ray traces recorded (stored)")),
        # 100,000 traces retrieved: inside the 1,000,000 free
        ("X-Ray", "traces retrieved", Decimal(0)),
        ("Secrets Manager", "secrets", 2 * p("Secrets Manager", "Secret")),
        ("Secrets Manager", "API requests", 10_000 * p("Secrets Manager", "API Request")),
        ("WAF", "web ACLs", 1 * p("WAF", "Web ACL Activated per Month")),
        ("WAF", "rules", 5 * p("WAF", "Rule Activated per Month")),
        ("WAF", "requests", 13_140_000 * p("WAF", "Request Processed Tier1 per Request")),
        ("Route 53", "hosted zones", 1 * p("Route 53", "DNS Zone first 25 (global price, not Seoul-specific)")),
        # 2,000,000 queries, 90 % of them alias queries to AWS resources (free)
        ("Route 53", "standard queries", 200_000 * p(
            "Route 53", "Query Standard External first 1B (global price, not Seoul-specific)")),
        ("ECR", "image storage", 5 * p("ECR", "ECR private repository storage")),
        # the HTTPS listener's public certificate: free with ELB and CloudFront
        ("ACM", "public certificates", Decimal(0)),
        # 2 NAT Elastic IPs + 2 ALB node addresses, all month
        ("VPC", "public IPv4", 4 * h * p("VPC", "Hourly charge for In use Public IPv4 Addresses per Hrs")),
        # 50 GB crossing AZs, billed on the way out and on the way in
        ("Data transfer", "inter-AZ", 2 * 50 * p("Data transfer (inter-AZ)", next(
            r["description"] for r in published_rows() if r["usage_type"] == "APN2-DataTransfer-Regional-Bytes"))),
        # 50 GB out to the internet: inside the 100 GB free per account
        ("Data transfer", "internet egress", Decimal(0)),
    ]
    return [(service, component, _cents(amount)) for service, component, amount in lines]


def expected_record_count() -> int:
    """Records the Seoul and global catalogs built from tests/fixtures/aws-prices must hold together, counted from
    the input files by plain csv: every Seoul price row; the Savings Plans/Spot/PI rates of Seoul and, as
    indicative references, other regions' Compute Savings Plans rates, except other projects' test fixtures and
    superseded historical rates; one record per documented allowance that names no SKU (one that names a SKU
    sizes that SKU's free-tier row) and per CloudFront flat-rate plan."""
    from importlib import resources

    sources = resources.files("stackcost.catalog.sources")
    read = {name: list(csv.DictReader(sources.joinpath(name).read_text(encoding="utf-8").splitlines()))
            for name in ("allowances.csv", "cloudfront_plans.csv")}
    extra = len([r for r in read["allowances.csv"] if not r["sku"]]) + len(read["cloudfront_plans.csv"])
    rates = [r for r in rate_rows() if "TEST FIXTURE" not in r["item"] and "HISTORICAL" not in r["item"]
             and (r["region"] == REGION or r["item"].startswith("Fargate Compute Savings Plan"))]
    return len(published_rows()) + len(rates) + extra
