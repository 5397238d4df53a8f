"""The catalog's vocabulary: the attribute names and `chargeType` values that the builder writes, the refresh
keeps and the pricers ask for. One enum, so a typo is an import-time AttributeError (and a mypy error), not a
price that is silently never found.

Names follow the AWS Price List where it has one (`instanceType`, `deploymentOption`, `databaseEngine`,
`cacheEngine`, `storageClass`, `cpuArchitecture`); `chargeType` is stackcost's own: the Price List tells these
charges apart by usage type, which differs per region (see `stackcost.regions`).
"""

from __future__ import annotations

from enum import StrEnum


class Attr(StrEnum):
    charge = "chargeType"
    instance_type = "instanceType"
    deployment = "deploymentOption"
    database_engine = "databaseEngine"
    cache_engine = "cacheEngine"
    storage_type = "storageType"
    storage_class = "storageClass"
    storage_config = "storageConfiguration"
    cpu_architecture = "cpuArchitecture"
    operating_system = "operatingSystem"
    resource = "resource"
    edge_group = "edgeGroup"
    transfer_type = "transferType"
    direction = "direction"
    load_balancer_type = "loadBalancerType"
    retention_month = "retentionMonth"
    savings_plan_type = "savingsPlanType"


class Charge(StrEnum):
    # NAT Gateway, load balancers
    hours = "hours"
    data_processed = "data-processed"
    lcu = "lcu"
    reserved_lcu = "reservedLcu"
    data = "data"
    # storage of every kind (RDS, Aurora, S3, ECR, CloudWatch Logs is logs-storage)
    storage = "storage"
    storage_alternate = "storage-alternate-sku"
    iops = "iops"
    throughput = "throughput"
    backup = "backup"
    snapshot_export = "snapshotExport"
    # Aurora
    serverless_v2 = "serverless-v2"
    io_requests = "io-requests"
    io_requests_alternate = "io-requests-alternate-sku"
    aurora_backup = "aurora-backup"  # not "backup": RDS for PostgreSQL looks its backup up by family and charge
    # ElastiCache Serverless
    data_stored = "data-stored"
    ecpu = "ecpu"
    # CloudFront
    requests = "requests"
    requests_https = "requests-https"
    requests_http = "requests-http"
    transfer_origin = "transfer-origin"
    transfer_internet = "transfer-internet"
    origin_shield_requests = "origin-shield-requests"
    flat_rate_plan = "flat-rate-plan"
    # S3
    requests_tier1 = "requests-tier1"
    requests_tier2 = "requests-tier2"
    retrieval = "retrieval"
    monitoring = "monitoring"
    transition_requests = "transition-requests"
    # CloudWatch
    logs_ingestion_standard = "logs-ingestion-standard"
    logs_ingestion_ia = "logs-ingestion-ia"
    logs_storage = "logs-storage"
    logs_insights_scanned = "logs-insights-scanned"
    logs_vended = "logs-vended"
    logs_data = "logs-data"  # the free tier's 5 GB covers ingestion, storage and Insights scans together
    alarm_standard = "alarm-standard"
    alarm_high_resolution = "alarm-high-resolution"
    alarm_composite = "alarm-composite"
    api_requests = "api-requests"
    api_getmetricdata = "api-getmetricdata"
    synthetics_canary_runs = "synthetics-canary-runs"
    custom_metrics = "custom-metrics"
    dashboards = "dashboards"
    dashboards_free_rate = "dashboards-free-rate"  # the Price List's $0 rate; the allowance is the free-tier row
    canary_runs_free_rate = "synthetics-canary-runs-free-rate"
    container_insights_observations = "container-insights-observations"
    live_tail = "live-tail"
    contributor_insights = "contributor-insights"
    # Secrets Manager, WAF, ECR, VPC, Route 53
    secrets = "secrets"
    web_acl = "web-acl"
    bot_control = "bot-control"
    rules = "rules"
    public_ipv4_in_use = "public-ipv4-in-use"
    public_ipv4_idle = "public-ipv4-idle"
    interface_endpoint_hours = "interface-endpoint-hours"
    interface_endpoint_data = "interface-endpoint-data"
    hosted_zones = "hosted-zones"
    queries_standard = "queries-standard"
    queries_latency = "queries-latency"
    health_checks = "health-checks"
    resolver_endpoint_eni = "resolver-endpoint-eni"
    # X-Ray
    traces_recorded = "traces-recorded"
    traces_retrieved = "traces-retrieved"
    traces_scanned = "traces-scanned"
    traces_retrieved_scanned = "traces-retrieved-scanned"  # the free allowance covers both
    insights_traces = "insights-traces"
    traces_recorded_free_rate = "traces-recorded-free-rate"
    traces_accessed_free_rate = "traces-accessed-free-rate"
    # KMS, ACM
    customer_managed_key = "customer-managed-key"
    public_certificate = "public-certificate"
    requests_symmetric = "requests-symmetric"
    requests_asymmetric_rsa2048 = "requests-asymmetric-rsa2048"
    requests_asymmetric_other = "requests-asymmetric-other"
    data_key_pair_ecc = "generate-data-key-pair-ecc"
    data_key_pair_rsa = "generate-data-key-pair-rsa"
