"""Hand calculations: each production line = quantity × the Seoul catalog price, to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from stackcost.catalog import Catalog
from stackcost.estimate import Estimate, estimate
from stackcost.sizing.model import Stack
from tests.pricelist_fixtures import production_lines_by_hand


def c(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def prod(stack: Stack, catalog: Catalog) -> Estimate:
    return estimate(stack, "production", catalog)


def line(est: Estimate, service: str, startswith: str) -> Decimal:
    (item,) = [i for i in est.items if i.service == service and i.component.startswith(startswith)]
    return item.monthly_usd


def test_fargate_two_tasks_of_2_vcpu_4_gb_all_month(prod: Estimate) -> None:
    vcpu = c(2 * 730 * 2 * Decimal("0.04656"))
    mem = c(2 * 730 * 4 * Decimal("0.00511"))
    assert line(prod, "ECS Fargate", "api: vCPU") == vcpu == Decimal("135.96")
    assert line(prod, "ECS Fargate", "api: memory") == mem == Decimal("29.84")
    assert prod.by_service()["ECS Fargate"] == Decimal("165.80")  # the guide said ~80


def test_rds_multi_az_instance_storage_backup(prod: Estimate) -> None:
    assert line(prod, "RDS PostgreSQL", "db.t3.medium Multi-AZ") == c(730 * Decimal("0.224"))
    assert line(prod, "RDS PostgreSQL", "gp3 storage") == c(100 * Decimal("0.262"))
    assert line(prod, "RDS PostgreSQL", "backup") == c((120 - 100) * Decimal("0.095"))


def test_elasticache_two_redis_nodes(prod: Estimate) -> None:
    assert line(prod, "ElastiCache", "2 × cache.t3.micro") == c(2 * 730 * Decimal("0.025"))


def test_nat_hours_and_bytes(prod: Estimate) -> None:
    assert line(prod, "NAT Gateway", "2 NAT") == c(2 * 730 * Decimal("0.059"))
    assert line(prod, "NAT Gateway", "data processed") == c(100 * Decimal("0.059"))


def test_alb_hours_and_lcus(prod: Estimate) -> None:
    assert line(prod, "ALB", "1 load balancer") == c(730 * Decimal("0.0225"))
    # typical: max(2/25, 300/3000, 0.2 GB/h, 5 req/s × 0 paid rules) = 0.2 LCU
    assert line(prod, "ALB", "LCU") == c(Decimal("0.2") * 730 * Decimal("0.008"))


def test_alb_lcu_worked_example_from_the_aws_pricing_page(stack: Stack, catalog: Catalog) -> None:
    # 1 new connection/s lasting 2 minutes (120 active/min), 5 requests/s, 300 KB/s processed
    # (1.08 GB/h), 60 rules: new 0.04, active 0.04, bytes 1.08, rules 5 × 50 / 1,000 = 0.25 -> 1.08 LCU,
    # priced through the estimate (not the pricer's helper): 1.08 LCU × 730 h × 0.008 (APN2-LCUUsage) = 6.31.
    data = stack.model_dump(mode="json")
    data["environments"]["production"]["alb"].update(new_connections_per_s=1, active_connections_per_min=120,
                                                      processed_gb_per_h=1.08, requests_per_s=5, rules=60)
    est = estimate(Stack.model_validate(data), "production", catalog)
    assert line(est, "ALB", "LCU") == c(Decimal("1.08") * 730 * Decimal("0.008")) == Decimal("6.31")


def test_cloudfront_within_the_always_free_tier(prod: Estimate, stack: Stack, catalog: Catalog) -> None:
    assert prod.by_service()["CloudFront"] == Decimal("0.00")
    # Staging shares production's account: it gets what production leaves of the 1,024 GB and 10M requests
    # (production uses 100 GB and 3M), so its 10 GB and 200,000 requests are free too.
    staging = estimate(stack, "staging", catalog)
    assert line(staging, "CloudFront", "data transfer") == Decimal("0.00")
    assert line(staging, "CloudFront", "HTTPS") == Decimal("0.00")
    # As its own account with the free tier off, it pays 10 GB × 0.12 + 200,000 × 0.0000012.
    data = stack.model_dump(mode="json")
    data["environments"]["staging"]["account"] = "staging-only"
    data["environments"]["staging"]["cloudfront"]["always_free_tier"] = False
    alone = estimate(Stack.model_validate(data), "staging", catalog)
    assert line(alone, "CloudFront", "data transfer") == c(10 * Decimal("0.12"))
    assert line(alone, "CloudFront", "HTTPS") == c(200000 * Decimal("0.0000012"))


def test_s3_storage_and_requests(prod: Estimate) -> None:
    assert line(prod, "S3", "STANDARD storage") == c(50 * Decimal("0.025"))
    assert line(prod, "S3", "PUT") == c(100000 * Decimal("0.0000045"))
    assert line(prod, "S3", "GET") == c(1000000 * Decimal("0.00000035"))


def test_cloudwatch_logs_metrics_alarms(prod: Estimate) -> None:
    # The always-free tier (per account, production first): 5 GB ingested and 5 GB stored, 10 metrics,
    # 10 alarm metrics; Container Insights: 37 metrics for one Fargate service (AWS's ECS metric table).
    assert line(prod, "CloudWatch", "application logs") == c((30 - 5) * Decimal("0.76"))
    assert line(prod, "CloudWatch", "PostgreSQL logs") == c(20 * Decimal("0.76"))
    assert line(prod, "CloudWatch", "log storage") == c((100 - 5) * Decimal("0.0314"))
    assert line(prod, "CloudWatch", "metrics") == c((37 - 10) * Decimal("0.3"))
    assert line(prod, "CloudWatch", "standard alarms") == Decimal("0.00")  # 3 + 2 autoscaling ≤ 10 free


def test_public_ipv4_for_nat_eips_and_alb_nodes(prod: Estimate) -> None:
    assert line(prod, "VPC", "public IPv4") == c((2 + 2) * 730 * Decimal("0.005"))


def test_every_production_line_and_the_total_by_hand(prod: Estimate) -> None:
    # Each line and the total worked out from the preset's quantities and the CSV price strings
    # (tests/pricelist_fixtures.py), not from the catalog code: the total is 590.32.
    hand = production_lines_by_hand()
    for service, prefix, amount in hand:
        assert line(prod, service, prefix) == amount, (service, prefix)
    assert len(prod.items) == len(hand), sorted((i.service, i.component) for i in prod.items)
    assert prod.total == sum((amount for _, _, amount in hand), Decimal(0))
    assert prod.total_low <= prod.total <= prod.total_high


def test_every_line_has_provenance(prod: Estimate) -> None:
    for item in prod.items:
        assert item.source and item.published, item.component
        assert item.assumption, item.component


def test_a_pricer_left_out_for_a_missing_section_has_no_lines_without_it(stack: Stack, catalog: Catalog) -> None:
    # The estimate does not load or call a pricer whose registry section the sizing lacks: that pricer must
    # have lines when the section is there and none when it is not.
    import importlib

    from stackcost.registry import SERVICES
    from stackcost.sizing.model import Environment

    data = stack.environments["production"].model_dump()
    data |= {"aurora": {"instances": [{"instance_class": "db.r6g.large"}, {"instance_class": "db.serverless"}],
                        "acu": 2, "storage_gb": 100, "io_requests_millions": 50},
             "elasticache_serverless": {"data_stored_gb": 2, "ecpu_millions": 100},
             "kms": {"keys": 2, "requests": 30000}, "nlb": {"processed_gb_per_h": 1},
             "vpc_endpoints": {"interface_endpoints": 2, "data_processed_gb": 10}}
    full = Environment.model_validate(data)
    gated = [s for s in SERVICES if s.section]
    assert {s.section for s in gated} >= {"aurora", "rds", "elasticache", "nat", "alb", "cloudfront", "s3"}
    for s in gated:
        pricer = importlib.import_module(f"stackcost.services.{s.pricer}").components
        assert pricer(full, catalog), s.id
        assert pricer(Environment.model_validate(data | {s.section: None}), catalog) == [], s.id
