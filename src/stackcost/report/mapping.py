"""AWS's names for spend -> stackcost's services, so actual spend lines up with the estimate's lines.

Cost Explorer groups by its SERVICE dimension (display names); CUR 2.0 carries `product_servicecode` and the usage
type, which splits AmazonEC2 into NAT Gateway and data transfer. Anything not listed is "unmodelled" spend."""

from __future__ import annotations

# Cost Explorer SERVICE dimension values.
CE_SERVICES = {
    "Amazon Elastic Container Service": "ECS Fargate",
    "Amazon Relational Database Service": "RDS PostgreSQL",
    "Amazon ElastiCache": "ElastiCache",
    "EC2 - Other": "NAT Gateway",  # NAT Gateway hours and bytes are billed under "EC2 - Other"
    "Elastic Load Balancing": "ALB",
    "Amazon CloudFront": "CloudFront",
    "Amazon Simple Storage Service": "S3",
    "AmazonCloudWatch": "CloudWatch",
    "Amazon Virtual Private Cloud": "VPC",  # public IPv4 addresses
    "AWS Data Transfer": "Data transfer",
    "AWS Secrets Manager": "Secrets Manager",
    "AWS WAF": "WAF",
    "Amazon Route 53": "Route 53",
    "Amazon EC2 Container Registry (ECR)": "ECR",
}

# CUR 2.0 product_servicecode values (AmazonEC2 is split by usage type below).
CUR_SERVICES = {
    "AmazonECS": "ECS Fargate", "AmazonRDS": "RDS PostgreSQL", "AmazonElastiCache": "ElastiCache",
    "AWSELB": "ALB", "AmazonCloudFront": "CloudFront", "AmazonS3": "S3", "AmazonCloudWatch": "CloudWatch",
    "AmazonVPC": "VPC", "AWSDataTransfer": "Data transfer", "AWSSecretsManager": "Secrets Manager", "awswaf": "WAF",
    "AmazonRoute53": "Route 53", "AmazonECR": "ECR",
}


def from_ce(service: str) -> str | None:
    return CE_SERVICES.get(service)


def from_cur(service_code: str, usage_type: str) -> str | None:
    if service_code == "AmazonEC2":
        if "NatGateway" in usage_type:
            return "NAT Gateway"
        if "DataTransfer" in usage_type:
            return "Data transfer"
        return None
    return CUR_SERVICES.get(service_code)


# FOCUS `ServiceName` values as AWS writes them (the product name) where they differ from Cost Explorer's.
FOCUS_SERVICES = {
    "Amazon Elastic Container Service": "ECS Fargate",
    "Amazon Relational Database Service": "RDS PostgreSQL",
    "Amazon ElastiCache": "ElastiCache",
    "Elastic Load Balancing": "ALB",
    "Amazon CloudFront": "CloudFront",
    "Amazon Simple Storage Service": "S3",
    "Amazon CloudWatch": "CloudWatch",
    "AmazonCloudWatch": "CloudWatch",
    "Amazon Virtual Private Cloud": "VPC",
    "AWS Data Transfer": "Data transfer",
    "AWS Secrets Manager": "Secrets Manager",
    "AWS WAF": "WAF",
    "Amazon Route 53": "Route 53",
    "Amazon EC2 Container Registry (ECR)": "ECR",
    "Amazon Elastic Container Registry": "ECR",
}
_EC2 = {"AmazonEC2", "Amazon Elastic Compute Cloud", "EC2 - Other", "Amazon Virtual Private Cloud", "AmazonVPC"}


def from_billing(name: str, usage_type: str = "") -> str | None:
    """Any billing name (CUR product/service code, Cost Explorer SERVICE, FOCUS ServiceName) -> our service.

    NAT Gateway hours and bytes are recognised by their usage type wherever AWS files them (EC2, EC2 - Other or
    VPC, depending on the export); the one place the registry lookup will replace."""
    if "NatGateway" in usage_type:
        return "NAT Gateway"
    if name in _EC2 and name not in CUR_SERVICES and name not in CE_SERVICES and name not in FOCUS_SERVICES:
        return "Data transfer" if "DataTransfer" in usage_type else None
    return CUR_SERVICES.get(name) or CE_SERVICES.get(name) or FOCUS_SERVICES.get(name)
