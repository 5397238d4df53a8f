"""Which sizing field a billed usage type measures, and how.

Keyed on our service label (billing names go through `report/mapping.py`, which the service registry will
replace) and AWS's usage type without its region prefix (`APN2-NatGateway-Bytes` -> `NatGateway-Bytes`), so the
same rule reads CUR, FOCUS `x_UsageType` and Cost Explorer's USAGE_TYPE."""

from __future__ import annotations

import re
from dataclasses import dataclass

# How an observed quantity becomes a field value:
#   monthly  GB / requests per month: the window's total scaled to a 730-hour month (`scale` divides, e.g. inter-AZ
#            GB are billed in each direction);
#   storage  GB-Mo: already a monthly average (AWS divides byte-hours by the month's own hours), not scaled;
#   fargate  vCPU-hours -> tasks of the one Fargate service (hours × vCPU per task);
#   count    hours of a per-hour resource -> how many ran (NAT Gateways, cache nodes);
#   rds      the instance class and Multi-AZ from the usage type itself;
#   cache    the node type from the usage type, the node count from its hours;
#   acu      Aurora Serverless v2 ACU-hours -> ACUs per hour.
KINDS = ("monthly", "storage", "fargate", "count", "rds", "cache", "acu")


@dataclass(frozen=True)
class Rule:
    service: str  # our service label; alternatives separated by |
    pattern: str  # regex on the usage type without its region prefix
    field: str  # dotted path in the environment; fargate[] = the environment's one Fargate service
    kind: str
    scale: int = 1
    note: str = ""


RULES = [
    Rule("ECS Fargate", r"^Fargate-(ARM-)?vCPU-Hours:perCPU$", "fargate[].tasks", "fargate"),
    Rule("NAT Gateway", r"^NatGateway-Hours$", "nat.gateways", "count"),
    Rule("NAT Gateway", r"^NatGateway-Bytes$", "nat.data_processed_gb", "monthly"),
    Rule("CloudFront", r"^DataTransfer-Out-Bytes$", "cloudfront.data_out_gb", "monthly"),
    Rule("CloudFront", r"^Requests-Tier2-HTTPS$", "cloudfront.https_requests", "monthly"),
    Rule("CloudFront", r"^Requests-Tier1$", "cloudfront.http_requests", "monthly"),
    Rule("CloudWatch", r"^DataProcessing-Bytes$", "cloudwatch.logs_ingested_gb", "monthly",
         note="all log groups ingested, less the base config's RDS exported logs, Enhanced Monitoring and "
              "Container Insights logs (the bill does not tell log groups apart)"),
    Rule("CloudWatch", r"^TimedStorage-ByteHrs$", "cloudwatch.logs_stored_gb", "storage"),
    Rule("S3", r"^TimedStorage-ByteHrs$", "s3.storage_gb.STANDARD", "storage"),
    Rule("S3", r"^Requests-Tier1$", "s3.put_requests", "monthly"),
    Rule("S3", r"^Requests-Tier2$", "s3.get_requests", "monthly"),
    Rule("WAF", r"^RequestV?2?(-Tier1)?$|^Request$", "other.waf.requests", "monthly"),
    Rule("Route 53", r"^DNS-Queries$", "other.route53.queries", "monthly"),
    Rule("Secrets Manager", r"^AWSSecretsManager-APIRequest$", "other.secrets_api_requests", "monthly"),
    Rule("ECR", r"^TimedStorage-ByteHrs$", "other.ecr_storage_gb", "storage"),
    Rule("Data transfer", r"^DataTransfer-Regional-Bytes$", "other.inter_az_gb", "monthly", scale=2,
         note="billed in each direction: half the billed GB"),
    Rule("Data transfer", r"^DataTransfer-Out-Bytes$", "other.internet_out_gb", "monthly"),
    Rule("RDS PostgreSQL", r"^(Multi-AZUsage|InstanceUsage|BoxUsage):(db\..+)$", "rds.instance_class", "rds"),
    Rule("ElastiCache", r"^NodeUsage:(cache\..+)$", "elasticache.node_type", "cache"),
    # Aurora is billed under AmazonRDS: today's mapping calls it RDS PostgreSQL, the registry may say Aurora.
    Rule("RDS PostgreSQL|Aurora", r"^Aurora:ServerlessV2Usage$", "aurora.acu", "acu"),
]

_PREFIX = re.compile(r"^[A-Z]{2,4}\d?-(?=[A-Z])")


def bare(usage_type: str) -> str:
    """`APN2-NatGateway-Bytes` -> `NatGateway-Bytes`; `AP-DataTransfer-Out-Bytes` (CloudFront's edge group) too."""
    return _PREFIX.sub("", usage_type, count=1)


def rule_for(service: str | None, usage_type: str) -> tuple[Rule, re.Match[str]] | None:
    if not service or not usage_type:
        return None
    for r in RULES:
        if service in r.service.split("|"):
            # The bare form first; a global usage type (`DNS-Queries`) has no region prefix to take off.
            m = re.match(r.pattern, bare(usage_type)) or re.match(r.pattern, usage_type)
            if m:
                return r, m
    return None
