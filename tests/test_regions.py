"""The same preset priced in each shipped region from that region's own prices (read here from the region's
price CSV with the csv module, not through the catalog), what a region lacks shown unpriced (never another
region's price, never $0), and one line for a region without a catalog."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import pytest

from stackcost.catalog import Catalog
from stackcost.estimate import estimate
from stackcost.sizing.model import Stack

PRICES = Path(__file__).parent / "fixtures" / "aws-prices"
H = Decimal(730)


@cache
def _rows(region: str) -> tuple[dict[str, str], ...]:
    path = PRICES / ("seoul_prices.csv" if region == "ap-northeast-2" else f"regions/{region}_prices.csv")
    with path.open(newline="", encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def _price(region: str, service: str, description: str) -> Decimal:
    found = [r["price_usd"] for r in _rows(region) if r["service"] == service and r["description"] == description
             and r["term"] == "OnDemand"]
    assert len(found) == 1, (region, service, description, found)
    return Decimal(found[0])


def _c(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _line(est: object, service: str, prefix: str) -> Decimal:
    (item,) = [i for i in est.items if i.service == service and i.component.startswith(prefix)]  # type: ignore[attr-defined]
    assert not item.unpriced
    return Decimal(item.monthly_usd)


@pytest.mark.parametrize("region", ["ap-northeast-2", "us-east-1", "eu-west-1", "ap-northeast-1"])
def test_the_preset_prices_from_each_regions_own_prices(region: str, stack: Stack) -> None:
    catalog = Catalog.load(region)
    est = estimate(stack.model_copy(update={"region": region}), "production", catalog)
    assert est.region == region
    p = _price
    # production: 2 tasks of 2 vCPU / 4 GB, 730 h; db.t3.medium Multi-AZ; 2 × cache.t3.micro; 2 NAT; 1 ALB
    assert _line(est, "ECS Fargate", "api: vCPU") == _c(2 * H * 2 * p(region, "Fargate", "Fargate Linux/x86 vCPU"))
    assert _line(est, "ECS Fargate", "api: memory") == _c(2 * H * 4 * p(region, "Fargate", "Fargate Linux/x86 memory"))
    assert _line(est, "RDS PostgreSQL", "db.t3.medium Multi-AZ") == \
        _c(H * p(region, "RDS PostgreSQL", "db.t3.medium PostgreSQL Multi-AZ on-demand"))
    assert _line(est, "ElastiCache", "2 × cache.t3.micro") == \
        _c(2 * H * p(region, "ElastiCache", "cache.t3.micro Redis node on-demand"))
    assert _line(est, "NAT Gateway", "2 NAT") == _c(2 * H * p(region, "NAT Gateway", "Hourly charge for NAT Gateways"))
    assert _line(est, "ALB", "1 load balancer") == \
        _c(H * p(region, "Elastic Load Balancing", "Application Load Balancer Hours"))
    # Every priced line carries a record of this region, or a global one (CloudFront, Route 53).
    assert all(i.unpriced or not i.usage_type or i.usage_type.startswith(_prefix(region)) or
               i.service in ("CloudFront", "Route 53") for i in est.items)


def _prefix(region: str) -> str:
    return {"ap-northeast-2": "APN2-", "eu-west-1": "EU-", "ap-northeast-1": "APN1-", "us-east-1": ""}[region]


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-northeast-1"])
def test_what_a_region_lacks_is_unpriced_named_and_listed_as_a_gap(region: str, stack: Stack) -> None:
    # The regional sources have no inter-AZ transfer and no X-Ray prices (shared/aws-prices/README.md, "Additions").
    assert not [r for r in _rows(region) if r["service"] in ("Data transfer (inter-AZ)", "X-Ray")]
    catalog = Catalog.load(region)
    est = estimate(stack.model_copy(update={"region": region}), "production", catalog)
    missing = {(i.service, i.component) for i in est.unpriced}
    assert missing == {("Data transfer", "inter-AZ"), ("X-Ray", "traces recorded"),
                       ("X-Ray", "traces retrieved or scanned")}
    for item in est.unpriced:
        assert item.monthly_usd == 0 and region in item.looked_for
    gaps = {g["offering"] for g in catalog.manifest["gaps"]}
    assert {"inter-AZ transfer", "X-Ray prices"} <= gaps
    doc = est.to_json()
    assert doc["unpriced_count"] == 3
    assert all(i["monthly_usd"] is None for i in doc["line_items"] if i["unpriced"])


def test_strict_turns_an_unpriced_line_into_the_error_and_a_missing_region_is_one_line(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "stackcost", *args], capture_output=True, text=True,
                              timeout=120, cwd=tmp_path)

    ok = run("estimate", "production", "--region", "eu-west-1", "--format", "json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["region"] == "eu-west-1"
    assert ok.stderr.count("is unpriced") == 3
    strict = run("estimate", "production", "--region", "eu-west-1", "--strict")
    assert strict.returncode == 2 and strict.stderr.startswith("error: production: 3 line(s) have no price")
    assert strict.stderr.count("\n") == 1
    none = run("estimate", "--region", "sa-east-1")
    assert none.returncode == 2
    assert none.stderr == ("error: no price catalog for sa-east-1 (have: ap-northeast-1, ap-northeast-2, eu-west-1, "
                           "us-east-1); run cost catalog refresh --region sa-east-1\n")


def test_global_prices_are_shared_not_copied() -> None:
    root = Path(__file__).parent.parent / "pricing_data"
    for region in ("ap-northeast-2", "us-east-1", "eu-west-1", "ap-northeast-1"):
        offers = json.loads((root / region / "manifest.json").read_text())["offers"]
        assert "AmazonCloudFront" not in offers
        # Route 53's prices are global; only Seoul's Resolver endpoint (a regional price) stays with its region.
        if "AmazonRoute53" in offers:
            lines = (root / region / "AmazonRoute53.jsonl").read_text().splitlines()
            assert all("global price" not in json.loads(line)["description"] for line in lines)
    assert {"AmazonCloudFront", "AmazonRoute53"} <= set(json.loads((root / "global" / "manifest.json").read_text())
                                                        ["offers"])


def test_new_services_in_another_region_by_hand(stack: Stack) -> None:
    """Issue #13's NLB and interface endpoints in us-east-1, from us-east-1's own price strings."""
    data = stack.model_dump(mode="json")
    prod = data["environments"]["production"]
    prod["nlb"] = {"load_balancers": 1, "availability_zones": 2, "internet_facing": False,
                   "new_connections_per_s": 1, "active_connections_per_min": 100, "processed_gb_per_h": 0.1}
    prod["vpc_endpoints"] = {"interface_endpoints": 3, "availability_zones": 2, "data_processed_gb": 50}
    data["region"] = "us-east-1"
    est = estimate(Stack.model_validate(data), "production", Catalog.load("us-east-1"))
    r = "us-east-1"
    # us-east-1_prices.csv: "Network Load Balancer Hours" 0.0225/h, "Hourly charge for VPC Endpoints per Hrs"
    # 0.01/h, "... data processed by VPC Endpoints per GB from 0 to 1048576" 0.01/GB
    assert _line(est, "NLB", "1 load balancer") == _c(H * _price(r, "Elastic Load Balancing",
                                                                 "Network Load Balancer Hours"))
    assert _line(est, "VPC endpoints", "3 interface endpoint") == _c(
        3 * 2 * H * _price(r, "VPC", "Hourly charge for VPC Endpoints per Hrs"))
    assert _line(est, "VPC endpoints", "data processed") == _c(50 * _price(
        r, "VPC", "Charge for per GB data processed by VPC Endpoints per GB from 0 to 1048576"))
