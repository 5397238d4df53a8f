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
