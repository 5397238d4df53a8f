"""Issue #13: every new line in Seoul, checked against a hand calculation from the published price strings.

Each expected value is worked out here from the CSV row's `price_usd` (quoted, and checked against
tests/fixtures/aws-prices/seoul_prices.csv with the csv module, not with the catalog) and the sizing's numbers.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from stackcost.catalog import Catalog
from stackcost.estimate import Estimate, LineItem, estimate
from stackcost.sizing.model import Stack

CSV = Path(__file__).parent / "fixtures" / "aws-prices" / "seoul_prices.csv"
_ROWS = list(csv.DictReader(CSV.open(encoding="utf-8", newline="")))


def published(description: str, price: str, term: str = "OnDemand") -> Decimal:
    """The quoted price string, after checking that the CSV row with this description says exactly that."""
    found = [r["price_usd"] for r in _ROWS if r["description"] == description and r["term"] == term]
    assert found == [price], (description, found)
    return Decimal(price)


def allowance(description: str, amount: str) -> Decimal:
    row = next(r for r in _ROWS if r["description"] == description and r["term"] == "FreeTier")
    assert f"free allowance per month={amount}" in row["attributes"], row["attributes"]
    return Decimal(amount)


def c(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def line(est: Estimate, service: str, words: str) -> LineItem:
    found = [i for i in est.items if i.service == service and words in i.component]
    assert len(found) == 1, [(i.service, i.component) for i in est.items]
    return found[0]


def one(env: dict[str, Any], catalog: Catalog) -> Estimate:
    return estimate(Stack.model_validate({"environments": {"e": {"hours_per_month": 730, **env}}}), "e", catalog)


AURORA = {"engine": "aurora-postgresql", "storage": "standard",
          "instances": [{"instance_class": "db.r6g.large", "count": 1},
                        {"instance_class": "db.serverless", "count": 1}],
          "min_acu": "0.5", "max_acu": 16, "acu": {"low": "0.5", "typical": 2, "high": 16}, "storage_gb": 100,
          "io_requests_millions": {"low": 10, "typical": 50, "high": 200}, "backup_storage_gb": 20}


def test_aurora_postgresql_standard(catalog: Catalog) -> None:
    est = one({"aurora": AURORA}, catalog)
    r6g = published("db.r6g.large Aurora PostgreSQL on-demand (Aurora Standard cluster configuration)", "0.313")
    acu = published("Aurora PostgreSQL Serverless v2 capacity (Aurora Standard)", "0.2")
    gb = published("Aurora PostgreSQL storage, Aurora Standard", "0.12")
    io = published("Aurora I/O requests, Aurora Standard only (I/O-Optimized has no I/O charge)", "0.00000024")
    backup = published("Aurora PostgreSQL backup storage beyond the free allocation", "0.023")
    writer = line(est, "Aurora", "db.r6g.large writer")
    assert writer.monthly_usd == c(730 * r6g) == Decimal("228.49")
    sv2 = line(est, "Aurora", "Serverless v2 reader")
    assert (sv2.monthly_usd_low, sv2.monthly_usd, sv2.monthly_usd_high) == \
        (c(Decimal("0.5") * 730 * acu), c(2 * 730 * acu), c(16 * 730 * acu))
    assert line(est, "Aurora", "cluster storage").monthly_usd == c(100 * gb)
    io_line = line(est, "Aurora", "I/O requests")
    assert (io_line.monthly_usd_low, io_line.monthly_usd, io_line.monthly_usd_high) == \
        (c(10_000_000 * io), c(50_000_000 * io), c(200_000_000 * io))
    assert line(est, "Aurora", "backup").monthly_usd == c(20 * backup)
    assert writer.sku and writer.rate_code.startswith(writer.sku) and writer.published == "2025-06-17"


def test_aurora_io_optimized_has_no_io_line_and_dearer_prices(catalog: Catalog) -> None:
    est = one({"aurora": {**AURORA, "storage": "io-optimized"}}, catalog)
    r6g = published("db.r6g.large Aurora PostgreSQL on-demand (Aurora I/O-Optimized cluster configuration)", "0.407")
    acu = published("Aurora PostgreSQL Serverless v2 capacity (Aurora I/O-Optimized)", "0.26")
    gb = published("Aurora storage, Aurora I/O-Optimized (PostgreSQL and MySQL)", "0.27")
    assert line(est, "Aurora", "writer").monthly_usd == c(730 * r6g)
    assert line(est, "Aurora", "Serverless v2").monthly_usd == c(2 * 730 * acu)
    assert line(est, "Aurora", "cluster storage").monthly_usd == c(100 * gb)
    assert not [i for i in est.items if "I/O requests" in i.component]


def test_aurora_mysql_readers_and_any_engine_storage(catalog: Catalog) -> None:
    au = {**AURORA, "engine": "aurora-mysql", "instances": [{"instance_class": "db.t4g.medium", "count": 3}]}
    est = one({"aurora": au}, catalog)
    t4g = published("db.t4g.medium Aurora MySQL on-demand (Aurora Standard cluster configuration)", "0.113")
    gb = published("Aurora storage, Aurora Standard (Aurora MySQL / 'Any' engine SKU)", "0.12")
    backup = published("Aurora MySQL backup storage beyond the free allocation", "0.023")
    assert line(est, "Aurora", "writer").monthly_usd == c(730 * t4g)
    readers = line(est, "Aurora", "readers")
    assert readers.quantity == 2 * 730 and readers.monthly_usd == c(2 * 730 * t4g)
    assert line(est, "Aurora", "cluster storage").monthly_usd == c(100 * gb)
    assert line(est, "Aurora", "backup").monthly_usd == c(20 * backup)
    # db.t4g is burstable: the CPU-credit charge is named, not priced (no Seoul rate)
    assert "CPU credits above the 20 % baseline are billed and are not in this estimate: no ap-northeast-2 " \
           "price in the catalog" in readers.assumption


@pytest.mark.parametrize(("engine", "gb_desc", "gb_price", "ecpu_desc", "ecpu_price", "minimum"), [
    ("valkey", "ElastiCache Serverless Valkey data stored", "0.101",
     "ElastiCache Serverless Valkey ElastiCache Processing Units", "0.0000000027", Decimal("0.1")),
    ("redis", "ElastiCache Serverless Redis OSS data stored", "0.151",
     "ElastiCache Serverless Redis OSS ElastiCache Processing Units", "0.0000000041", Decimal(1)),
])
def test_elasticache_serverless(catalog: Catalog, engine: str, gb_desc: str, gb_price: str, ecpu_desc: str,
                                ecpu_price: str, minimum: Decimal) -> None:
    est = one({"elasticache_serverless": {"engine": engine, "data_stored_gb": {"low": "0.05", "typical": 2, "high": 5},
                                          "ecpu_millions": {"low": 10, "typical": 50, "high": 200}}}, catalog)
    gb, ecpu = published(gb_desc, gb_price), published(ecpu_desc, ecpu_price)
    data = line(est, "ElastiCache Serverless", "data stored")
    # low: 0.05 GB is below the metered minimum (1 GB Redis OSS, 100 MB Valkey), so the minimum is billed
    assert (data.monthly_usd_low, data.monthly_usd, data.monthly_usd_high) == \
        (c(minimum * 730 * gb), c(2 * 730 * gb), c(5 * 730 * gb))
    assert line(est, "ElastiCache Serverless", "Processing Units").monthly_usd == c(50_000_000 * ecpu)


def test_kms_keys_and_requests_after_the_free_requests(catalog: Catalog) -> None:
    est = one({"kms": {"keys": 2, "requests": 100000}}, catalog)
    key = published("KMS customer managed key, per key per month", "1")
    req = published("KMS symmetric API requests beyond free tier", "0.000003")
    assert line(est, "KMS", "keys").monthly_usd == c(2 * key)
    requests = line(est, "KMS", "requests")
    # aws.amazon.com/kms/pricing: 20,000 requests/month free (allowances.csv)
    assert requests.free_quantity == 20000 and requests.monthly_usd == c((100000 - 20000) * req) == Decimal("0.24")


def test_acm_is_a_visible_zero_with_its_reason(catalog: Catalog) -> None:
    item = line(one({"acm": {"public_certificates": 2}}, catalog), "ACM", "public certificates")
    assert item.quantity == 2 and item.monthly_usd == Decimal("0.00") and item.unit_price_usd == 0
    assert "free" in item.assumption and "certificate-manager/pricing" in item.source


def test_xray_default_sampling_and_free_traces(catalog: Catalog) -> None:
    est = one({"xray": {"requests_per_s": {"low": "0.5", "typical": 5, "high": 30}, "traces_retrieved": 2000000}},
              catalog)
    recorded = published("X-Ray traces recorded (stored)", "0.000005")
    retrieved = published("X-Ray traces retrieved", "0.0000005")
    seconds = 730 * 3600
    # default rule: 1 request/s reservoir + 5 % of the rest; 100,000 recorded free per month
    per_s = {"low": Decimal("0.5"), "typical": 1 + Decimal("0.05") * 4, "high": 1 + Decimal("0.05") * 29}
    rec = line(est, "X-Ray", "traces recorded")
    assert rec.quantity == per_s["typical"] * seconds == 3153600
    assert rec.free_quantity == 100000
    assert (rec.monthly_usd_low, rec.monthly_usd, rec.monthly_usd_high) == tuple(
        c(max(per_s[lv] * seconds - 100000, Decimal(0)) * recorded) for lv in ("low", "typical", "high"))
    assert rec.monthly_usd == Decimal("15.27")
    ret = line(est, "X-Ray", "retrieved")
    assert ret.free_quantity == 1000000 and ret.monthly_usd == c((2000000 - 1000000) * retrieved)


def test_vpc_interface_endpoints(catalog: Catalog) -> None:
    est = one({"vpc_endpoints": {"interface_endpoints": 3, "availability_zones": 2, "data_processed_gb": 50}},
              catalog)
    hour = published("Hourly charge for VPC Endpoints per Hrs", "0.013")
    gb = published("Charge for per GB data processed by VPC Endpoints per GB from 0 to 1048576", "0.01")
    assert line(est, "VPC endpoints", "interface endpoint").monthly_usd == c(3 * 2 * 730 * hour) == Decimal("56.94")
    assert line(est, "VPC endpoints", "data processed").monthly_usd == c(50 * gb)


def test_nlb_hours_nlcu_and_public_addresses(catalog: Catalog) -> None:
    est = one({"nlb": {"load_balancers": 1, "availability_zones": 2, "internet_facing": True,
                       "new_connections_per_s": 1, "active_connections_per_min": 100, "processed_gb_per_h": "0.1"}},
              catalog)
    hour = published("Network Load Balancer Hours", "0.0225")
    nlcu = published("Network Load Balancer LCU Hours", "0.006")
    ip = published("Hourly charge for In use Public IPv4 Addresses per Hrs", "0.005")
    assert line(est, "NLB", "load balancer").monthly_usd == c(730 * hour) == Decimal("16.43")
    # NLCU/h = max(1/800 new conn/s, 100/100,000 active/min, 0.1 GB/h) = 0.1
    assert line(est, "NLB", "NLCU").monthly_usd == c(Decimal("0.1") * 730 * nlcu)
    assert line(est, "NLB", "public IPv4").monthly_usd == c(2 * 730 * ip)


def test_rds_read_replicas_and_burstable_exposure(catalog: Catalog) -> None:
    est = one({"rds": {"instance_class": "db.t3.medium", "multi_az": True, "allocated_gb": 100, "read_replicas": 1,
                       "average_cpu_pct": 35}}, catalog)
    single = published("db.t3.medium PostgreSQL Single-AZ on-demand", "0.112")
    gp3 = published("gp3 storage Single-AZ", "0.131")
    assert line(est, "RDS PostgreSQL", "read replica(s)").monthly_usd == c(730 * single)
    assert line(est, "RDS PostgreSQL", "read replica gp3").monthly_usd == c(100 * gp3)
    expected = "CPU credits above the 20 % baseline are billed and are not in this estimate: no ap-northeast-2 " \
               "price in the catalog"
    for item in est.items:
        if item.service == "RDS PostgreSQL" and item.unit == "Hrs":
            assert expected in item.assumption
    assert any(expected in a and "35 %" in a for a in est.assumptions)


def test_cloudwatch_dashboards_and_api_requests_after_the_free_tier(catalog: Catalog) -> None:
    est = one({"cloudwatch": {"dashboards": 5, "api_requests": 1500000}}, catalog)
    dash = published("CloudWatch dashboard beyond free tier, per month", "3")
    api = published("CloudWatch API requests (GetMetricStatistics etc.)", "0.00001")
    free_dash = allowance("Free tier: dashboards (up to 50 metrics each)", "3")
    free_api = allowance("Free tier: CloudWatch API requests (not GetMetricData, GetMetricWidgetImage; newer copy "
                         "also excludes GetInsightRuleReport)", "1000000")
    assert line(est, "CloudWatch", "dashboards").monthly_usd == c((5 - free_dash) * dash) == Decimal("6.00")
    assert line(est, "CloudWatch", "API requests").monthly_usd == c((1500000 - free_api) * api) == Decimal("5.00")


def test_production_cloudwatch_free_tier_container_insights_and_alarms(stack: Stack, catalog: Catalog) -> None:
    prod = estimate(stack, "production", catalog)
    ingest = published("CloudWatch Logs standard ingestion", "0.76")
    stored = published('CloudWatch Logs stored data (pricing-page key "Stored Data")', "0.0314")
    metric = published("custom metrics first 10,000", "0.3")
    logs_free = allowance("Free tier: logs data (ingestion, archive storage and Logs Insights data scanned), GB per "
                          "month", "5")
    metrics_free = allowance("Free tier: custom + detailed-monitoring metrics (basic-monitoring metrics from AWS "
                             "services are free)", "10")
    alarms_free = allowance("Free tier: alarm metrics (standard resolution, no Metrics Insights query)", "10")
    app = line(prod, "CloudWatch", "application logs")
    assert app.free_quantity == logs_free and app.monthly_usd == c((30 - logs_free) * ingest)
    storage = line(prod, "CloudWatch", "log storage")
    assert storage.free_quantity == logs_free and storage.monthly_usd == c((100 - logs_free) * stored)
    # AWS's ECS Container Insights table (CloudWatch User Guide): 10 metrics published with the task-family,
    # service and cluster dimension sets, 5 with the service set only, 2 (ServiceCount, TaskCount) with the
    # cluster set only (ContainerInstanceCount is EC2-only): one Fargate service = 10 × 3 + 5 + 2 = 37.
    metrics = line(prod, "CloudWatch", "metrics")
    assert metrics.quantity == 37 and metrics.free_quantity == metrics_free
    assert metrics.monthly_usd == c((37 - metrics_free) * metric) == Decimal("8.10")
    # §8.1's 3 alarms + 2 from the §3.3 target-tracking policy, all inside the 10 free alarm metrics
    alarms = line(prod, "CloudWatch", "alarms")
    assert alarms.quantity == 5 and alarms.free_quantity == 5 <= alarms_free and alarms.monthly_usd == 0


def test_production_high_band_runs_the_autoscaling_maximum(stack: Stack, catalog: Catalog) -> None:
    prod = estimate(stack, "production", catalog)
    vcpu = published("Fargate Linux/x86 vCPU", "0.04656")
    mem = published("Fargate Linux/x86 memory", "0.00511")
    cpu_line, mem_line = line(prod, "ECS Fargate", "vCPU"), line(prod, "ECS Fargate", "memory")
    assert cpu_line.monthly_usd == c(2 * 730 * 2 * vcpu) and cpu_line.monthly_usd_high == c(4 * 730 * 2 * vcpu)
    assert mem_line.monthly_usd == c(2 * 730 * 4 * mem) and mem_line.monthly_usd_high == c(4 * 730 * 4 * mem)


def test_production_shows_xray_and_the_named_exposures(stack: Stack, catalog: Catalog) -> None:
    prod = estimate(stack, "production", catalog)
    assert line(prod, "X-Ray", "traces recorded").monthly_usd > 0
    assert line(prod, "RDS PostgreSQL", "db.t3.medium Multi-AZ instance").assumption.endswith(
        "CPU credits above the 20 % baseline are billed and are not in this estimate: no ap-northeast-2 price in "
        "the catalog")
    assert any("ElastiCache backup storage beyond the free snapshot" in a for a in prod.assumptions)
    data = prod.to_json()
    assert all("free_quantity" in i for i in data["line_items"])


def test_route53_alias_queries_are_free(catalog: Catalog) -> None:
    est = one({"other": {"route53": {"queries": 2000000, "alias_query_share": "0.9"}}}, catalog)
    q = published("Query Standard External first 1B (global price, not Seoul-specific)", "0.0000004")
    assert line(est, "Route 53", "standard queries").monthly_usd == c(2000000 * (1 - Decimal("0.9")) * q)
