"""Build catalog records from files in the layout of shared/aws-prices/.

Inputs (all optional but the first):
- `seoul_prices.csv`: one row per published price point (pricing-page maps and price trackers, normalised).
- `savings-plans/rates.csv`: Savings Plans, Fargate Spot and Performance Insights rates with their sources.

The CSVs carry AWS's SKUs and rate codes but describe attributes and tiers in prose; the per-service
functions below turn that prose into Price List-style attributes and numeric tier bounds. Every decision
is deterministic, so the same input always gives byte-identical output.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from stackcost.catalog.records import PriceRecord, replace
from stackcost.catalog.vocab import Charge
from stackcost.errors import StackcostError
from stackcost.regions import GLOBAL
from stackcost.util import plain as _fmt

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# "10 TB" of a GB-priced tier, "1B" (billion) of a count-priced one.
_SCALE = {"GB": Decimal(1), "TB": Decimal(1024), "PB": Decimal(1024 * 1024), "B": Decimal(10**9)}


class BuildError(StackcostError):
    """The input directory is not in the expected layout."""


def _published(text: str) -> str:
    m = _DATE.search(text or "")
    return m.group(0) if m else ""


def parse_attributes(text: str) -> tuple[dict[str, str], list[str]]:
    """Split the CSV's `attributes` column into key/value pairs and free-text notes."""
    attrs: dict[str, str] = {}
    notes: list[str] = []
    for part in (p.strip() for p in (text or "").split(";")):
        if not part:
            continue
        if part.startswith("pricing-page key="):
            attrs["pricingKey"] = part.split("=", 1)[1].strip().strip('"')
            continue
        key, sep, value = part.partition("=")
        if sep and re.fullmatch(r"[A-Za-z][A-Za-z ]*", key.strip()) and len(key) < 30:
            key = key.strip()
            value = value.strip()
            if key in ("rateCode", "upfrontRateCode"):
                value = value.split(" ")[0]
            attrs["edgeGroup" if key in ("edge group", "location") else key] = value
        else:
            notes.append(part)
    return attrs, notes


_TIER_WORDS = re.compile(
    r"\b(?P<word>first|next|over|greater than)\s+(?P<num>[\d,.]+)\s*(?P<unit>TB|PB|GB|B\b)?", re.IGNORECASE
)
_TIER_RANGE = re.compile(r"(?:StartingRange:\s*|from\s+|CI EKS\s+)(?P<a>[\d.]+)"
                         r"(?:,\s*EndingRange:\s*|\s+(?:to|upto)\s+)(?P<b>[\d.]+|Inf)", re.IGNORECASE)


def _tier_phrase(description: str, attributes_text: str, unit: str) -> tuple[str, Decimal | None, Decimal | None]:
    """('range', a, b) for explicit bounds, ('first'|'next'|'over', size, None) for prose tiers, ('', ...)."""
    for text in (attributes_text, description):
        m = _TIER_RANGE.search(text)
        if m:
            b = None if m.group("b").lower() == "inf" else Decimal(m.group("b"))
            return "range", Decimal(m.group("a")), b
    m = _TIER_WORDS.search(description)
    if m:
        num = Decimal(m.group("num").replace(",", ""))
        scale = _SCALE[m.group("unit").upper()] if m.group("unit") else Decimal(1)
        word = m.group("word").lower()
        return ("over" if word.startswith(("over", "greater")) else word), num * scale, None
    return "", None, None


def _assign_tiers(records: list[PriceRecord], raw: list[tuple[str, str]]) -> list[PriceRecord]:
    """Turn 'First 10 TB' / 'Next 40 TB' / 'Over 5 PB' into cumulative bounds, per SKU in file order."""
    out: list[PriceRecord] = []
    running: dict[str, Decimal] = {}
    for rec, (desc, attr_text) in zip(records, raw, strict=True):
        if rec.term == "FreeTier":
            out.append(rec)
            continue
        kind, a, b = _tier_phrase(desc, attr_text, rec.unit)
        group = rec.sku or rec.description
        if kind == "range" and a is not None:
            rec = replace(rec, tier_start=_fmt(a), tier_end=_fmt(b) if b is not None else None)
        elif kind == "first" and a is not None:
            rec = replace(rec, tier_start="0", tier_end=_fmt(a))
            running[group] = a
        elif kind == "next" and a is not None and group in running:
            start = running[group]
            running[group] = start + a
            rec = replace(rec, tier_start=_fmt(start), tier_end=_fmt(start + a))
        elif kind == "over" and a is not None:
            rec = replace(rec, tier_start=_fmt(a), tier_end=None)
        elif group in running and rec.sku:
            # e.g. Route 53 "DNS Zone" after "DNS Zone first 25": the rest of the same SKU.
            rec = replace(rec, tier_start=_fmt(running[group]), tier_end=None)
        out.append(rec)
    return out


# --- per-service attribute derivation -------------------------------------------------------------------

def _fargate(row: dict[str, str], a: dict[str, str]) -> dict[str, str]:
    key = a.get("pricingKey", "") + " " + row["usage_type"]
    desc = row["description"]
    resource = (
        "osLicense" if "license" in desc.lower()
        else "ephemeralStorage" if "Storage" in key
        else "vCPU" if row["unit"].startswith("vCPU")
        else "memory"
    )
    return {
        "cpuArchitecture": "ARM64" if "ARM" in key else "x86_64",
        "operatingSystem": "Windows" if "Windows" in desc else "Linux",
        "resource": resource,
    }


def _instance_type(usage_type: str) -> str:
    return usage_type.split(":", 1)[1] if ":" in usage_type else ""


def _db_class(row: dict[str, str]) -> str:
    """The instance class as RDS names it. RDS usage types abbreviate `xlarge` to `xl`
    (`APN2-InstanceUsage:db.m6g.4xl`), so the class is read from the description, never from the usage type."""
    first = row["description"].split(" ", 1)[0]
    if not first.startswith("db."):
        raise BuildError(f"no instance class at the start of {row['description']!r}")
    return first


def _rds_instance(row: dict[str, str], a: dict[str, str]) -> dict[str, str]:
    out = {"instanceType": _db_class(row), "databaseEngine": "PostgreSQL",
           "deploymentOption": "Multi-AZ" if "Multi-AZ" in row["usage_type"] else "Single-AZ"}
    for k in ("licenseModel", "vcpu", "memory"):
        if k in a:
            out[k] = a[k]
    return out


_RDS_STORAGE = re.compile(r"^(gp2|gp3|io1|io2|magnetic) (storage|extra IOPS|extra throughput|provisioned IOPS)"
                          r" (Single-AZ|Multi-AZ)")


def _rds_storage(row: dict[str, str], a: dict[str, str]) -> tuple[dict[str, str], str]:
    desc = row["description"]
    m = _RDS_STORAGE.match(desc)
    if m:
        volume, what, deploy = m.groups()
        charge = {"storage": "storage", "extra IOPS": "iops", "provisioned IOPS": "iops",
                  "extra throughput": "throughput"}[what]
        family = {"storage": "Database Storage", "iops": "Provisioned IOPS",
                  "throughput": "Provisioned Throughput"}[charge]
        return {"storageType": "standard" if volume == "magnetic" else volume, "deploymentOption": deploy,
                "chargeType": charge}, family
    if desc.startswith("backup/snapshot"):
        return {"chargeType": "backup"}, "Storage Snapshot"
    if desc.startswith("snapshot export"):
        return {"chargeType": "snapshotExport", "databaseEngine": "PostgreSQL"}, "Snapshot Export"
    raise BuildError(f"unrecognised RDS storage row: {desc!r}")


def _elasticache(row: dict[str, str], a: dict[str, str], notes: list[str]) -> dict[str, str]:
    out = {"instanceType": _instance_type(row["usage_type"])}
    # Reserved-node files price a node type, not an engine (Redis OSS and Valkey share reservations).
    out["cacheEngine"] = a.get("cacheEngine", "any")
    for k in ("vcpu", "memory"):
        if k in a:
            out[k] = a[k]
    return out


def _elb(row: dict[str, str]) -> dict[str, str]:
    desc = row["description"]
    lb = desc.split(" Load Balancer")[0].lower()
    charge = ("reservedLcu" if "ReservedLCU" in desc else "lcu" if "LCU" in desc
              else "data" if "Data" in desc else "hours")
    return {"loadBalancerType": lb, "chargeType": charge}


def _cloudfront(row: dict[str, str], a: dict[str, str]) -> dict[str, str]:
    desc = row["description"]
    out = {"edgeGroup": a.get("edgeGroup", "Any")}
    if desc.startswith("HTTPS requests"):
        out["chargeType"] = "requests-https"
    elif desc.startswith("HTTP requests"):
        out["chargeType"] = "requests-http"
    elif "to Origin" in desc:
        out["chargeType"] = "transfer-origin"
    elif "to Internet" in desc:
        out["chargeType"] = "transfer-internet"
    elif "Origin Shield" in desc:
        out.update(chargeType="origin-shield-requests", edgeGroup="Asia Pacific (Seoul)")
    else:
        raise BuildError(f"unrecognised CloudFront row: {desc!r}")
    return out


_S3_CLASSES = (
    ("Intelligent Tiering Frequent", "INTELLIGENT_TIERING_FA"),
    ("Intelligent Tiering Infrequent", "INTELLIGENT_TIERING_IA"),
    ("Intelligent Tiering", "INTELLIGENT_TIERING"),
    ("One Zone", "ONEZONE_IA"),
    ("Standard Infrequent", "STANDARD_IA"),
    ("Glacier Instant", "GLACIER_IR"),
    ("Glacier", "GLACIER"),
    ("Standard", "STANDARD"),
)


def _s3(row: dict[str, str]) -> dict[str, str]:
    desc = row["description"]
    storage_class = next((code for words, code in _S3_CLASSES if words in desc), "STANDARD")
    if desc.startswith("PUT") or desc.startswith("Lifecycle"):
        charge = "transition-requests" if desc.startswith("Lifecycle") else "requests-tier1"
    elif desc.startswith("GET"):
        charge = "requests-tier2"
    elif "Retrieval" in desc:
        charge = "retrieval"
    elif "monitoring" in desc:
        charge = "monitoring"
    else:
        charge = "storage"
    return {"storageClass": storage_class, "chargeType": charge}


_CW_KEYS = {
    "Logs Collected Data Ingestion": Charge.logs_ingestion_standard,
    "IA Custom ingested Logs from 0 upto Inf": Charge.logs_ingestion_ia,
    "Stored Data": Charge.logs_storage,
    "Queried Logs Insights": Charge.logs_insights_scanned,
    "Vended Logs First 10TB": Charge.logs_vended,
    "Alarm Standard": Charge.alarm_standard,
    "Alarm High Resolution": Charge.alarm_high_resolution,
    "Alarm Composite": Charge.alarm_composite,
    "API Request": Charge.api_requests,
    "API Request GetMetricData": Charge.api_getmetricdata,
    "Canaries per Runs": Charge.synthetics_canary_runs,
}
def _cloudwatch(row: dict[str, str], a: dict[str, str]) -> dict[str, str]:
    key = a.get("pricingKey", "")
    if key.startswith("Metric for"):
        return {"chargeType": Charge.custom_metrics}
    if key not in _CW_KEYS:
        raise BuildError(f"unrecognised CloudWatch row: {key!r}")
    return {"chargeType": _CW_KEYS[key]}


# --- issue #13 services (attribute names for the multi-region builder: see the model branch's report) ---------

def _aurora(row: dict[str, str], a: dict[str, str]) -> tuple[dict[str, str], str]:
    desc, family = row["description"], row["product_family"]
    engine = "Aurora MySQL" if "MySQL" in desc else "Aurora PostgreSQL" if "PostgreSQL" in desc else "Any"
    io_opt = "I/O-Optimized" in desc or "IOOptimized" in row["usage_type"]
    config = "Aurora I/O-Optimized" if io_opt else "Aurora Standard"
    alternate = "-alternate-sku" if "alternate SKU" in desc else ""
    if family == "Database Instance":
        return {"instanceType": desc.split()[0], "databaseEngine": engine, "deploymentOption": "Single-AZ",
                "storageConfiguration": config}, family
    if family == "ServerlessV2":
        return {"databaseEngine": engine, "storageConfiguration": config, "chargeType": "serverless-v2"}, family
    if family == "Database Storage":
        # The Price List files Aurora MySQL storage (and I/O-Optimized storage) under engine "Any".
        engine = "Aurora PostgreSQL" if a.get("databaseEngine") == "Aurora PostgreSQL" else "Any"
        return {"databaseEngine": engine, "storageConfiguration": config,
                "chargeType": "storage" + alternate}, family
    if family == "System Operation":
        return {"databaseEngine": "Any", "storageConfiguration": "Aurora Standard",
                "chargeType": "io-requests" + alternate}, family
    if family == "Storage Snapshot":
        # not "backup": RDS for PostgreSQL looks its backup price up by product family and chargeType alone
        return {"databaseEngine": engine, "chargeType": "aurora-backup"}, family
    raise BuildError(f"unrecognised Aurora row: {desc!r}")


def _xray(row: dict[str, str], a: dict[str, str]) -> tuple[dict[str, str], str]:
    key = a.get("pricingKey", "")
    table = {"Traces Stored": "traces-recorded", "Traces Retrieved": "traces-retrieved",
             "Traces Scanned": "traces-scanned", "Traces Stored Insights": "insights-traces",
             "Traces Stored Free Tier": "traces-recorded-free-rate",
             "Traces Accessed Free Tier": "traces-accessed-free-rate"}
    if key not in table:
        raise BuildError(f"unrecognised X-Ray row: {key!r}")
    out = {"chargeType": table[key]}
    if key.endswith("Free Tier"):
        out["allowance"] = "unstated"  # the documented sizes are in allowances.csv
    return out, row["product_family"]


def _kms(row: dict[str, str], a: dict[str, str]) -> tuple[dict[str, str], str]:
    return _simple((("Encryption Key", "customer-managed-key"), ("API request - Non Free Tier", "requests-symmetric"),
                    ("Asymmetric Requests RSA_2048", "requests-asymmetric-rsa2048"),
                    ("Asymmetric Requests except", "requests-asymmetric-other"),
                    ("GenerateDatakeyPair ECC", "generate-data-key-pair-ecc"),
                    ("GenerateDatakeyPair RSA", "generate-data-key-pair-rsa")),
                   a.get("pricingKey", ""), "KMS"), row["product_family"]


def _elasticache_serverless(row: dict[str, str], a: dict[str, str]) -> dict[str, str]:
    return {"cacheEngine": "Valkey" if "Valkey" in row["description"] else "Redis",
            "chargeType": "data-stored" if row["unit"] == "GB-Hours" else "ecpu"}


def _cloudwatch_more(row: dict[str, str], a: dict[str, str]) -> dict[str, str]:
    """Free-tier allowances (page copy: sized; price files: free rate codes), dashboards, observations."""
    desc, key = row["description"], a.get("pricingKey", "")
    if key.startswith("ObservationCount CI EKS"):
        return {"chargeType": "container-insights-observations", "containerPlatform": "EKS"}
    if key == "Dashboard Basic Dashboard":
        return {"chargeType": "dashboards"}
    if key == "Dashboard Basic Free upto 3 Dashboard":
        return {"chargeType": "dashboards-free-rate"}
    if key == "Canaries per Runs MonthlyFree":
        return {"chargeType": "synthetics-canary-runs-free-rate", "allowance": "unstated"}
    out = _simple((("alarm metrics", "alarm-standard"), ("API requests", "api-requests"), ("dashboards", "dashboards"),
                   ("logs data", "logs-data"), ("Live Tail", "live-tail"), ("Synthetics", "synthetics-canary-runs"),
                   ("Contributor Insights", "contributor-insights"), ("metrics", "custom-metrics")),
                  desc.removeprefix("Free tier: ").split(" (")[0], "CloudWatch free tier")
    out["allowancePerMonth"] = a.get("free allowance per month", "")
    return out


_MODEL_SERVICES = {"Aurora": _aurora, "X-Ray": _xray, "KMS": _kms}


def _simple(mapping: Iterable[tuple[str, str]], desc: str, service: str) -> dict[str, str]:
    for words, charge in mapping:
        if words in desc:
            return {"chargeType": charge}
    raise BuildError(f"unrecognised {service} row: {desc!r}")


def _derive(row: dict[str, str], a: dict[str, str], notes: list[str]) -> tuple[dict[str, str], str]:
    """(attributes, product_family) for one CSV row."""
    service, desc, family = row["service"], row["description"], row["product_family"]
    if service == "Fargate":
        return _fargate(row, a), family
    if service == "RDS PostgreSQL":
        return _rds_instance(row, a), family
    if service == "RDS storage":
        return _rds_storage(row, a)
    if service == "ElastiCache" and family == "ElastiCache Serverless":
        return _elasticache_serverless(row, a), family
    if service == "ElastiCache":
        return _elasticache(row, a, notes), family
    if service == "NAT Gateway":
        return {"chargeType": "hours" if "Hours" in row["usage_type"] else "data-processed"}, family
    if service == "Elastic Load Balancing":
        return _elb(row), family
    if service == "CloudFront":
        return _cloudfront(row, a), family
    if service == "S3":
        return _s3(row), family
    if service.startswith("Data transfer"):
        kind = service[len("Data transfer ("):-1]
        out = {"transferType": kind, "direction": "in" if "Inbound" in desc else "out"}
        m = re.search(r"To Location: (.+)\)$", row["attributes"])
        if m:
            out["toLocation"] = m.group(1)
        return out, family
    if service == "CloudWatch" and (row["term"] == "FreeTier" or "ObservationCount" in a.get("pricingKey", "")
                                    or a.get("pricingKey", "").startswith("Dashboard")):
        return _cloudwatch_more(row, a), family
    if service == "CloudWatch":
        return _cloudwatch(row, a), family
    if service == "Secrets Manager":
        return _simple((("Secret", "secrets"), ("API", "api-requests")), desc, service), family
    if service == "ECR":
        return {"chargeType": "storage"}, family
    if service == "WAF":
        return _simple((("Web ACL", "web-acl"), ("Bot Control", "bot-control"), ("Rule", "rules"),
                        ("Request", "requests")), desc, service), family
    if service == "VPC":
        return _simple((("In use Public IPv4", "public-ipv4-in-use"), ("Idle Public IPv4", "public-ipv4-idle"),
                        ("VPC Endpoints per Hrs", "interface-endpoint-hours"),
                        ("data processed by VPC Endpoints", "interface-endpoint-data")), desc, service), family
    if service in _MODEL_SERVICES:
        return _MODEL_SERVICES[service](row, a)
    if service == "Route 53":
        return _simple((("DNS Zone", "hosted-zones"), ("Query Standard", "queries-standard"),
                        ("Query Latency", "queries-latency"), ("Health checks", "health-checks"),
                        ("Query ENI", "resolver-endpoint-eni")), desc, service), family
    raise BuildError(f"unknown service in seoul_prices.csv: {service!r}")


def is_global(row: dict[str, str]) -> bool:
    """CloudFront and Route 53 publish one price for every region: kept once, in pricing_data/global/ (Route 53
    Resolver endpoints are regional and stay with their region)."""
    return row["service"] == "CloudFront" or (row["service"] == "Route 53" and "global price" in row["description"])


def _term(row: dict[str, str], rate_code: str) -> str:
    if ".A429C66SYZ." in rate_code or ("(free tier" in row["description"] and Decimal(row["price_usd"]) == 0):
        return "FreeTier"
    return row["term"]


def records_from_prices_csv(path: Path, region: str) -> list[PriceRecord]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or "price_usd" not in rows[0]:
        raise BuildError(f"{path}: not a seoul_prices.csv (no price_usd column)")
    records: list[PriceRecord] = []
    raw: list[tuple[str, str]] = []
    for row in rows:
        a, notes = parse_attributes(row["attributes"])
        attributes, family = _derive(row, a, notes)
        usage_type = row["usage_type"]
        if usage_type.endswith(" (pattern)"):
            usage_type = usage_type[: -len(" (pattern)")]
            attributes["usageTypeNote"] = "pattern, not confirmed in a Price List file"
        if "<dest>" in usage_type:
            usage_type = ""
        rate_code = a.get("rateCode", "")
        term = _term(row, rate_code)
        if term == "FreeTier" and row["service"] == "CloudFront":
            attributes["edgeGroup"] = "Any"
        secondary = "SECONDARY" in row["description"] or "secondary" in row["attributes"].lower()
        records.append(PriceRecord(
            region=GLOBAL if is_global(row) else region,
            service=row["service"],
            service_code=row["offer_code"],
            offer_code=row["offer_code"],
            product_family=family,
            usage_type=usage_type,
            operation=a.get("operation", ""),
            description=row["description"],
            unit=row["unit"],
            price_usd=row["price_usd"],
            term=term,
            attributes=attributes,
            lease_years=int(row["lease_years"]) if row["lease_years"] else None,
            purchase_option=row["purchase_option"],
            offering_class="standard" if row["term"] == "Reserved" and row["service"].startswith("RDS") else "",
            upfront_usd=row["upfront_usd"] or None if row["term"] == "Reserved" else None,
            sku=a.get("sku", ""),
            rate_code=rate_code,
            upfront_rate_code=a.get("upfrontRateCode", ""),
            source_repo=row["source_repo"],
            source_path=row["source_path"],
            source_commit=row["source_commit"],
            published=_published(row["source_publication_date"]),
            published_note=row["source_publication_date"],
            confidence="secondary" if secondary else "primary",
            notes="; ".join(notes),
        ))
        raw.append((row["description"], row["attributes"]))
    records = _assign_tiers(records, raw)
    return [_free_tier_bounds(r) if r.term == "FreeTier" and r.tier_start is None else r for r in records]


def _free_tier_bounds(rec: PriceRecord) -> PriceRecord:
    """A free-tier row's size: '0 upto 1024' in the description, `allowancePerMonth` (the page's "free allowance
    per month=N"), or '(up to N)'. A $0 free-tier rate whose file states no size is kept without bounds
    (`allowance=unstated`); the documented size is a record of allowances.csv."""
    m = re.search(r"(\d+) upto (\d+)", rec.description)
    if m:
        return replace(rec, tier_start=m.group(1), tier_end=m.group(2))
    size = rec.attributes.get("allowancePerMonth", "")
    if size.isdigit():
        return replace(rec, tier_start="0", tier_end=size)
    m = re.search(r"\(up to (\d+)\)", rec.description)
    if m:
        return replace(rec, tier_start="0", tier_end=m.group(1))
    if rec.attributes.get("allowance") == "unstated":
        return rec
    raise BuildError(f"free tier without bounds: {rec.description!r}")


# --- savings-plans/rates.csv ------------------------------------------------------------------------------

_SKU_IN_ITEM = re.compile(r"\[SKU ([A-Z0-9]+)\]")


def _sp_term(term: str) -> int:
    return int(term.rstrip("yr"))


def _rate_row(row: dict[str, str], region: str) -> PriceRecord | None:
    item = row["item"]
    common = dict(
        unit=row["unit"], price_usd=row["rate_usd"], source_repo=row["source_repo"],
        source_path=row["source_path"], source_commit=row["source_commit"],
        published=_published(row["publication_date"]), published_note=row["publication_date"],
        description=item,
    )
    if "TEST FIXTURE" in item or "HISTORICAL" in item:
        return None  # partly synthetic or superseded: listed under `excluded` in the manifest
    if item.startswith("Database Savings Plan"):
        usage_type = row["usage_type"]
        if " - ElastiCache" in item:
            m = re.search(r"(cache\.[a-z0-9]+\.[a-z0-9]+)", item)
            attrs = {"cacheEngine": "Valkey", "instanceType": m.group(1) if m else "serverless",
                     "resource": "node" if m else usage_type.split("-", 1)[1].split(":")[0]}
            service, service_code = "ElastiCache", "AmazonElastiCache"
        else:
            m = re.search(r"(db\.[a-z0-9]+\.[a-z0-9]+) (Single-AZ|Multi-AZ)", item)
            if not m:
                raise BuildError(f"unrecognised Database Savings Plan row: {item!r}")
            attrs = {"databaseEngine": "PostgreSQL", "instanceType": m.group(1), "deploymentOption": m.group(2)}
            service, service_code = "RDS PostgreSQL", "AmazonRDS"
        attrs["savingsPlanType"] = "Database"
        return PriceRecord(region=row["region"], service=service, service_code=service_code,
                           offer_code="AWSDatabaseSavingsPlans", product_family="", usage_type=usage_type,
                           operation="", term="SavingsPlan", attributes=attrs,
                           lease_years=_sp_term(row["term"]), purchase_option=row["purchase_option"],
                           **common)
    if item.startswith("Fargate Compute Savings Plan"):
        ut = row["usage_type"].replace(" (pattern)", "")
        attrs = {"cpuArchitecture": "ARM64" if "ARM" in ut else "x86_64", "operatingSystem": "Linux",
                 "resource": "vCPU" if "vCPU" in ut else "memory", "savingsPlanType": "Compute",
                 "onDemandUsd": row["on_demand_usd_if_known"]}
        return PriceRecord(region=row["region"], service="Fargate", service_code="AmazonECS",
                           offer_code="AWSComputeSavingsPlan", product_family="", usage_type=ut, operation="",
                           term="SavingsPlan", attributes=attrs, lease_years=_sp_term(row["term"]),
                           purchase_option=row["purchase_option"],
                           confidence="reference" if row["region"] != region else "secondary",
                           notes="another region's rate: for an indicative discount only, never this region's price"
                           if row["region"] != region else "",
                           **common)
    if item.startswith("Fargate Spot"):
        attrs = {"cpuArchitecture": "x86_64", "operatingSystem": "Linux",
                 "resource": "vCPU" if "vCPU" in row["usage_type"] else "memory"}
        return PriceRecord(region=row["region"], service="Fargate", service_code="AmazonECS",
                           offer_code="FargateSpotFeed", product_family="Compute", usage_type="", operation="",
                           term="Spot", attributes=attrs,
                           notes="Spot prices float; usage type not confirmed; hand-copied from the Spot feed",
                           **common)  # type: ignore[arg-type]
    if "Performance Insights" in item:
        engine = ("Aurora Serverless" if "Serverless" in item else
                  "Aurora PostgreSQL" if item.startswith("Aurora PostgreSQL") else "PostgreSQL")
        sku = _SKU_IN_ITEM.search(item)
        attrs = {"databaseEngine": engine,
                 "retentionMonth": "first" if "first month" in item else "additional",
                 "pricingKey": row["usage_type"].split('"')[1] if '"' in row["usage_type"] else ""}
        return PriceRecord(region=row["region"], service="RDS Performance Insights", service_code="AmazonRDS",
                           offer_code="AmazonRDS", product_family="Performance Insights", usage_type="",
                           operation="", term="OnDemand", attributes=attrs, sku=sku.group(1) if sku else "",
                           **common)  # type: ignore[arg-type]
    raise BuildError(f"unrecognised row in savings-plans/rates.csv: {item!r}")


def records_from_rates_csv(path: Path, region: str) -> tuple[list[PriceRecord], list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or "rate_usd" not in rows[0]:
        raise BuildError(f"{path}: not a savings-plans rates.csv (no rate_usd column)")
    kept: list[PriceRecord] = []
    excluded: list[str] = []
    for row in rows:
        # Another region's rate is kept only where it serves as an indicative discount (Compute Savings Plans).
        if row["region"] != region and not row["item"].startswith("Fargate Compute Savings Plan"):
            continue
        rec = _rate_row(row, region)
        if rec is None:
            excluded.append(f"{row['item']} {row['region']} {row['usage_type']} {row['term']} "
                            f"{row['purchase_option']}")
        else:
            kept.append(rec)
    return kept, excluded


def records_from_allowances(path: Path, region: str, records: list[PriceRecord]) -> list[PriceRecord]:
    """Free allowances that AWS documents but no price file sizes (CloudFront's 10M requests, X-Ray's traces).

    A row naming a `sku` gives its size to that SKU's $0 free-tier record in `records` (which is replaced);
    any other row adds a record. Usage types are written without the region prefix and get `region`'s.
    Global rows (`region` column = global) belong to the global catalog only."""
    from stackcost.regions import region as region_of

    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_sku = {r.sku: i for i, r in enumerate(records) if r.term == "FreeTier" and r.sku}
    added: list[PriceRecord] = []
    for r in rows:
        if (r["region"] == GLOBAL) != (region == GLOBAL):
            continue
        note = f"documented allowance, read {r['retrieved']}"
        if r["sku"]:
            if r["sku"] in by_sku:
                i = by_sku[r["sku"]]
                records[i] = replace(records[i], tier_start="0", tier_end=r["quantity"],
                                     notes="; ".join(x for x in (records[i].notes, f"size: {r['source']}") if x))
            continue
        base = r["usage_type"]
        added.append(PriceRecord(
            region=region, service=r["service"], service_code=r["service_code"], offer_code="stackcost-allowances",
            product_family="", usage_type=region_of(region).usage_type(base) if base and region != GLOBAL else base,
            operation="", description=r["description"], unit=r["unit"], price_usd="0", term="FreeTier",
            attributes=dict(p.split("=", 1) for p in r["attributes"].split(";") if p), tier_start="0",
            tier_end=r["quantity"] or None,  # blank: free without a limit
            source_repo="", source_path=r["source"], published="", published_note=note,
            confidence="primary"))
    return records + added


def records_from_cloudfront_plans(path: Path, region: str) -> list[PriceRecord]:
    """CloudFront flat-rate plans: a monthly fee per distribution with request and transfer allowances (no
    overage charges). Not in any Price List offer yet, so they are stored as secondary, with their source."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        PriceRecord(region=region, service="CloudFront", service_code="AmazonCloudFront",
                    offer_code="CloudFrontFlatRatePlans", product_family="Flat-Rate Plan", usage_type="",
                    operation="", description=f"CloudFront flat-rate plan {r['plan']} (per distribution, per month)",
                    unit="Month", price_usd=r["monthly_usd"], term="OnDemand",
                    attributes={"chargeType": "flat-rate-plan", "plan": r["plan"], "requestsIncluded": r["requests"],
                                "dataTransferIncludedGB": r["data_transfer_gb"], "s3CreditGB": r["s3_credit_gb"]},
                    source_repo="", source_path=r["source"], published=r["published"],
                    published_note=f"plans launched {r['published']}; read {r['retrieved']}", confidence="secondary",
                    notes="1 TB = 1,024 GB as in CloudFront's tiers; no overage: traffic above the allowance is "
                          "throttled or needs a higher plan")
        for r in rows
    ]


def iter_input_files(src: Path) -> Iterator[Path]:
    yield src / "seoul_prices.csv"
    yield src / "savings-plans" / "rates.csv"
