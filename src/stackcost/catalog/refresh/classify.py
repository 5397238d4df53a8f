"""Which Price List products stackcost keeps, and the catalog attributes it gives them.

Records already in the catalog are matched by rate code (or, for those a source gave without one, by the natural
key below) and keep their catalog attributes; these rules only decide which products to keep and describe new
ones: Fargate, PostgreSQL instances, Redis/Valkey nodes, NAT Gateway, ALB, and Savings Plans rates for them.
"""

from __future__ import annotations

from typing import Any

from stackcost.catalog.records import PriceRecord
from stackcost.catalog.refresh.pricelist import Fetched
from stackcost.regions import rds_class_of_usage_type

KEY_ATTRS = ("instanceType", "deploymentOption", "cacheEngine", "savingsPlanType", "resource", "cpuArchitecture")

Classified = tuple[str, str, dict[str, str]]  # (stackcost service, product family, attributes)


def natural_key(service_code: str, term: str, lease: int | None, option: str, attrs: dict[str, str]) -> tuple[str, ...]:
    return (service_code, term, str(lease or ""), option, *(attrs.get(k, "") for k in KEY_ATTRS))


def record_key(rec: PriceRecord) -> tuple[str, ...]:
    return natural_key(rec.service_code, rec.term, rec.lease_years, rec.purchase_option, rec.attributes)


def _sizes(a: dict[str, str]) -> dict[str, str]:
    return {k: a[k] for k in ("vcpu", "memory") if k in a}


# Offers whose files are mostly products stackcost never prices: a cheap family test first.
FAMILIES = {"AmazonEC2": {"NAT Gateway"}, "AmazonRDS": {"Database Instance"}, "AmazonElastiCache": {"Cache Instance"},
            "AWSELB": {"Load Balancer-Application"}}


def wanted_product(service_code: str, product: dict[str, Any], known_skus: set[str]) -> bool:
    """Keep a product if the catalog already prices it, or if a rule below describes it."""
    if product.get("sku") in known_skus:
        return True
    families = FAMILIES.get(service_code)
    if families is not None and product.get("productFamily") not in families:
        return False
    attrs = product.get("attributes", {})
    probe = Fetched(service_code=service_code, sku="", product_family=product.get("productFamily", ""),
                    attributes=attrs, term="OnDemand", price_usd="0", unit="", description="")
    return classify(probe) is not None


def classify(f: Fetched) -> Classified | None:
    if f.term == "SavingsPlan":
        return _savings_plan(f)
    if f.term == "Spot":
        return "Fargate", "Compute", {k: f.attributes[k] for k in ("cpuArchitecture", "operatingSystem", "resource")}
    a, ut, family = f.attributes, f.usage_type, f.product_family
    if f.service_code == "AmazonECS" and "Fargate" in ut:
        # The Windows licence fee (Fargate-Windows-OS-Hours:perCPU) is neither vCPU nor memory.
        resource = ("ephemeralStorage" if "EphemeralStorage" in ut else "osLicense" if "-OS-Hours" in ut
                    else "vCPU" if "vCPU" in ut else "memory")
        return "Fargate", family or "Compute", {"cpuArchitecture": "ARM64" if "-ARM-" in ut else "x86_64",
                                                "operatingSystem": "Windows" if "Windows" in ut else "Linux",
                                                "resource": resource}
    if f.service_code == "AmazonRDS" and family == "Database Instance":
        if a.get("databaseEngine") != "PostgreSQL" or a.get("deploymentOption") not in ("Single-AZ", "Multi-AZ"):
            return None
        return "RDS PostgreSQL", family, {"instanceType": a.get("instanceType", ""), "databaseEngine": "PostgreSQL",
                                          "deploymentOption": a["deploymentOption"], **_sizes(a)}
    if f.service_code == "AmazonElastiCache" and family == "Cache Instance":
        if a.get("cacheEngine") not in ("Redis", "Valkey"):
            return None
        return "ElastiCache", family, {"instanceType": a.get("instanceType", ""), "cacheEngine": a["cacheEngine"],
                                       **_sizes(a)}
    if f.service_code == "AmazonEC2" and family == "NAT Gateway":
        # Only the standard gateway's hours and bytes; provisioned bandwidth (NatGateway-Prvd-*) is another price.
        if ut.endswith("NatGateway-Hours"):
            return "NAT Gateway", family, {"chargeType": "hours"}
        if ut.endswith("NatGateway-Bytes"):
            return "NAT Gateway", family, {"chargeType": "data-processed"}
        return None
    if f.service_code == "AWSELB" and family == "Load Balancer-Application":
        charge = "lcu" if "LCUUsage" in ut else "hours" if "LoadBalancerUsage" in ut else ""
        return ("Elastic Load Balancing", family, {"loadBalancerType": "application", "chargeType": charge}) \
            if charge else None
    return None


def _savings_plan(f: Fetched) -> Classified | None:
    ut, plan = f.usage_type, f.attributes.get("savingsPlanType", "")
    if plan == "Compute" and "Fargate" in ut and "Windows" not in ut and "Storage" not in ut:
        return "Fargate", "", {"cpuArchitecture": "ARM64" if "-ARM-" in ut else "x86_64", "operatingSystem": "Linux",
                               "resource": "vCPU" if "vCPU" in ut else "memory", "savingsPlanType": "Compute"}
    if plan != "Database":
        return None
    if "NodeUsage:" in ut:
        # Of ElastiCache, only Valkey is eligible for Database Savings Plans (Redis OSS and Memcached are not).
        return "ElastiCache", "", {"cacheEngine": "Valkey", "instanceType": ut.split(":", 1)[1], "resource": "node",
                                   "savingsPlanType": "Database"}
    if ut.endswith(":Valkey"):  # Valkey Serverless: CachedData / ElastiCacheProcessingUnits
        return "ElastiCache", "", {"cacheEngine": "Valkey", "instanceType": "serverless",
                                   "resource": ut.split("-", 1)[1].split(":")[0], "savingsPlanType": "Database"}
    if ("InstanceUsage:" in ut or "Multi-AZUsage:" in ut) and f.attributes.get("operation") == "CreateDBInstance:0014":
        return "RDS PostgreSQL", "", {"databaseEngine": "PostgreSQL", "instanceType": rds_class_of_usage_type(ut),
                                      "deploymentOption": "Multi-AZ" if "Multi-AZUsage" in ut else "Single-AZ",
                                      "savingsPlanType": "Database"}
    return None
