"""The service registry: one entry per AWS service that stackcost prices, the one table that the estimate, the
optimizer, the report, the billing readers, the Terraform importer and the page read.

An entry names the service as it is shown (`label`), as the Price List publishes it (`offer_codes`), as Cost
Explorer groups it (`ce_name`), as CUR writes it (`cur_product_code`) and as FOCUS writes it (`focus_name`), and
which catalog groupings (`PriceRecord.service`) and pricer module belong to it. Adding a service is adding an
entry here and a pricer module in `stackcost.services`.

Several services share one billing code (NAT Gateway and EC2 data transfer are both `AmazonEC2`; Aurora and RDS
are both `AmazonRDS`): `usage_markers` tells them apart by the usage type, the first entry whose marker matches
wins, and an entry without markers is the code's default.
"""

from __future__ import annotations

from collections.abc import Callable

from stackcost.values import Value


class Service(Value):
    """One AWS service as stackcost prices it (see the module docstring)."""

    id: str
    label: str
    offer_codes: tuple[str, ...]
    ce_name: str
    cur_product_code: str
    focus_name: str
    catalog_services: tuple[str, ...]
    pricer: str  # module in stackcost.services; "" = priced inside another service's module
    usage_markers: tuple[str, ...]  # substrings of the usage type that pick this entry over a sibling
    section: str  # the sizing's section without which the pricer has no lines ("" = always priced)
    _fields = ("id", "label", "offer_codes", "ce_name", "cur_product_code", "focus_name", "catalog_services",
               "pricer", "usage_markers", "section")

    def __init__(self, id: str, label: str, offer_codes: tuple[str, ...], ce_name: str, cur_product_code: str,
                 focus_name: str, catalog_services: tuple[str, ...] = (), pricer: str = "",
                 usage_markers: tuple[str, ...] = (), section: str = "") -> None:
        self._set(id=id, label=label, offer_codes=offer_codes, ce_name=ce_name, cur_product_code=cur_product_code,
                  focus_name=focus_name, catalog_services=catalog_services, pricer=pricer,
                  usage_markers=usage_markers, section=section)


_EC2 = ("EC2 - Other", "AmazonEC2", "Amazon Elastic Compute Cloud")
_RDS = ("Amazon Relational Database Service", "AmazonRDS", "Amazon Relational Database Service")
_CACHE = ("Amazon ElastiCache", "AmazonElastiCache", "Amazon ElastiCache")
_ELB = ("Elastic Load Balancing", "AWSELB", "Elastic Load Balancing")
_VPC = ("Amazon Virtual Private Cloud", "AmazonVPC", "Amazon Virtual Private Cloud")

SERVICES: tuple[Service, ...] = (
    Service("fargate", "ECS Fargate", ("AmazonECS", "AWSComputeSavingsPlan", "FargateSpotFeed"),
            "Amazon Elastic Container Service", "AmazonECS", "Amazon Elastic Container Service",
            ("Fargate",), "fargate"),
    Service("aurora", "Aurora", ("AmazonRDS",), *_RDS, ("Aurora",), "aurora", ("Aurora", "ACU"),
            section="aurora"),
    Service("rds", "RDS PostgreSQL", ("AmazonRDS", "AWSDatabaseSavingsPlans"), *_RDS,
            ("RDS PostgreSQL", "RDS storage", "RDS Performance Insights"), "rds", section="rds"),
    Service("elasticache_serverless", "ElastiCache Serverless", ("AmazonElastiCache",), *_CACHE,
            (), "elasticache_serverless", ("CachedData", "ElastiCacheProcessingUnits"),
            section="elasticache_serverless"),
    Service("elasticache", "ElastiCache", ("AmazonElastiCache", "AWSDatabaseSavingsPlans"), *_CACHE,
            ("ElastiCache",), "elasticache", section="elasticache"),
    Service("nat", "NAT Gateway", ("AmazonEC2",), *_EC2, ("NAT Gateway",), "nat", ("NatGateway",), section="nat"),
    Service("nlb", "NLB", ("AWSELB",), *_ELB, (), "nlb", ("LoadBalancing:Network", "NLCU"), section="nlb"),
    Service("alb", "ALB", ("AWSELB",), *_ELB, ("Elastic Load Balancing",), "alb", section="alb"),
    Service("cloudfront", "CloudFront", ("AmazonCloudFront", "CloudFrontFlatRatePlans"), "Amazon CloudFront",
            "AmazonCloudFront", "Amazon CloudFront", ("CloudFront",), "cloudfront", section="cloudfront"),
    Service("s3", "S3", ("AmazonS3",), "Amazon Simple Storage Service", "AmazonS3",
            "Amazon Simple Storage Service", ("S3",), "s3", section="s3"),
    Service("cloudwatch", "CloudWatch", ("AmazonCloudWatch",), "AmazonCloudWatch", "AmazonCloudWatch",
            "Amazon CloudWatch", ("CloudWatch",), "cloudwatch"),
    Service("xray", "X-Ray", ("AWSXRay",), "AWS X-Ray", "AWSXRay", "AWS X-Ray", ("X-Ray",), "xray",
            section="xray"),
    Service("secretsmanager", "Secrets Manager", ("AWSSecretsManager",), "AWS Secrets Manager", "AWSSecretsManager",
            "AWS Secrets Manager", ("Secrets Manager",), "other"),
    Service("kms", "KMS", ("awskms",), "AWS Key Management Service", "awskms", "AWS Key Management Service",
            ("KMS",), "kms", section="kms"),
    Service("acm", "ACM", ("AWSCertificateManager",), "AWS Certificate Manager", "AWSCertificateManager",
            "AWS Certificate Manager", (), "acm", section="acm"),
    Service("waf", "WAF", ("awswaf",), "AWS WAF", "awswaf", "AWS WAF", ("WAF",), "other"),
    Service("route53", "Route 53", ("AmazonRoute53",), "Amazon Route 53", "AmazonRoute53", "Amazon Route 53",
            ("Route 53",), "other"),
    Service("ecr", "ECR", ("AmazonECR",), "Amazon EC2 Container Registry (ECR)", "AmazonECR",
            "Amazon Elastic Container Registry", ("ECR",), "other"),
    Service("vpc_endpoints", "VPC endpoints", ("AmazonVPC",), *_VPC, (), "vpc_endpoints", ("VpcEndpoint",),
            section="vpc_endpoints"),
    Service("vpc", "VPC", ("AmazonVPC",), *_VPC, ("VPC",), "network"),
    Service("data_transfer", "Data transfer", ("AWSDataTransfer",), "AWS Data Transfer", "AWSDataTransfer",
            "AWS Data Transfer", ("Data transfer (internet)", "Data transfer (inter-AZ)",
                                  "Data transfer (inter-region)"), "network"),
    # EC2 data transfer (inter-AZ, egress) is billed under AmazonEC2 / "EC2 - Other" too.
    Service("ec2_data_transfer", "Data transfer", (), *_EC2, (), "", ("DataTransfer",)),
)

_BY_ID = {s.id: s for s in SERVICES}
_BY_LABEL: dict[str, Service] = {}
for _s in SERVICES:
    _BY_LABEL.setdefault(_s.label, _s)


def by_id(service_id: str) -> Service:
    return _BY_ID[service_id]


def by_label(label: str) -> Service | None:
    return _BY_LABEL.get(label)


def labels() -> list[str]:
    """Every label, in the order outputs list services."""
    return list(dict.fromkeys(s.label for s in SERVICES))


def for_billing_name(name: str, usage_type: str = "", operation: str = "") -> Service | None:
    """The entry for a Cost Explorer SERVICE, a CUR product code or a FOCUS ServiceName (None if unknown).
    `usage_type`/`operation` pick among services that share a billing name; a shared name whose usage type
    matches no marker and that has no default entry (EC2's other charges) is None: not modelled."""
    candidates = [s for s in SERVICES if name and name in (s.ce_name, s.cur_product_code, s.focus_name)]
    if not candidates:
        return None
    probe = f"{usage_type} {operation}"
    for s in candidates:
        if s.usage_markers and any(m in probe for m in s.usage_markers):
            return s
    defaults = [s for s in candidates if not s.usage_markers]
    return defaults[0] if defaults else None


def pricer_modules(has_section: Callable[[str], bool] | None = None) -> list[str]:
    """The pricer modules in the order outputs list services (each once); with `has_section`, only those a
    sizing with these sections has lines from (the others are not even imported)."""
    return list(dict.fromkeys(s.pricer for s in SERVICES if s.pricer and (
        has_section is None or not s.section or has_section(s.section))))


def of_catalog_service(catalog_service: str) -> Service | None:
    """The entry whose catalog grouping (`PriceRecord.service`) this is."""
    for s in SERVICES:
        if catalog_service in s.catalog_services:
            return s
    return None


def service_code(catalog_service: str) -> str:
    """The Price List service code a catalog grouping is priced under (a Savings Plans rate is stored under the
    service it discounts): the entry's first offer code."""
    s = of_catalog_service(catalog_service)
    return s.offer_codes[0] if s and s.offer_codes else ""
