"""`cost calibrate` on exports with known usage, written here (no code shared with the reader): October 2026, 744
hours, hourly rows of a CUR 2.0 export and of a FOCUS file. Costs are the estimate's own catalog unit prices ×
the quantities (real prices); the expected values are the known usage worked out by hand below."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from stackcost.catalog import Catalog
from stackcost.estimate import estimate
from stackcost.sizing.model import Stack

HOURS = 744  # October: 31 days
START = datetime(2026, 10, 1)
# Known usage of production, per hour.
TASKS = 3  # the config plans 2 (2 vCPU each)
NAT_GB_PER_H = Decimal("0.5")  # 372 GB in the month -> 365 GB per 730 h
CF_GB_PER_H = Decimal("2")  # 1488 GB -> 1460
LOG_GB_PER_H = Decimal("0.1")  # 74.4 GB -> 73 GB per 730 h, of which the config's other log sources take 21.5


def _prices(stack: Stack, catalog: Catalog) -> dict[str, Decimal]:
    items = {i.component: i.unit_price_usd for i in estimate(stack, "production", catalog).items}
    return {"vcpu": items["api: vCPU (x86_64)"], "nat": items["data processed"],
            "cf": items["data transfer out (Asia Pacific)"], "logs": items["application logs ingested"]}


def _usage(scale_out_hours: int = 0) -> list[tuple[datetime, str, str, str, Decimal, str]]:
    """(hour, product code, usage type, unit, quantity, price key) for every hour of October."""
    out = []
    for h in range(HOURS):
        t = START + timedelta(hours=h)
        tasks = 4 if h < scale_out_hours else (2 if scale_out_hours else TASKS)
        out += [(t, "AmazonECS", "APN2-Fargate-vCPU-Hours:perCPU", "hours", Decimal(tasks * 2), "vcpu"),
                (t, "AmazonEC2", "APN2-NatGateway-Bytes", "GB", NAT_GB_PER_H, "nat"),
                (t, "AmazonCloudFront", "AP-DataTransfer-Out-Bytes", "GB", CF_GB_PER_H, "cf"),
                (t, "AmazonCloudWatch", "APN2-DataProcessing-Bytes", "GB", LOG_GB_PER_H, "logs")]
    # A usage type no sizing field measures, with its cost (a real price: the NAT GB rate).
    out.append((START, "AmazonKinesis", "APN2-ShardHour", "hours", Decimal(10), "nat"))
    return out


def write_cur2(path: Path, prices: dict[str, Decimal], scale_out_hours: int = 0) -> None:
    cols = ["line_item_usage_start_date", "line_item_usage_end_date", "line_item_line_item_type",
            "line_item_product_code", "product_servicecode", "line_item_usage_type", "pricing_unit",
            "line_item_usage_amount", "line_item_unblended_cost", "line_item_currency_code", "resource_tags",
            "bill_payer_account_name"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for t, code, ut, unit, qty, key in _usage(scale_out_hours):
            w.writerow([t.isoformat(), (t + timedelta(hours=1)).isoformat(), "Usage", code, code, ut, unit, qty,
                        qty * prices[key], "USD", json.dumps({"user_Environment": "production"}), "hospital"])


def write_focus(path: Path, prices: dict[str, Decimal]) -> None:
    cols = ["ProviderName", "BillingCurrency", "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory",
            "ChargeClass", "BilledCost", "EffectiveCost", "ServiceName", "x_ServiceCode", "x_UsageType",
            "ConsumedQuantity", "ConsumedUnit", "RegionId", "SubAccountId", "Tags"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for t, code, ut, unit, qty, key in _usage():
            cost = qty * prices[key]
            w.writerow(["AWS", "USD", f"{t:%Y-%m-%dT%H:%M:%SZ}", f"{t + timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}",
                        "Usage", "", cost, cost, code, code, ut, qty, unit, "ap-northeast-2", "111122223333",
                        json.dumps({"user:Environment": "Production"})])


def _calibrate(tmp_path: Path, src: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path / "calibrated.yaml"
    r = subprocess.run([sys.executable, "-m", "stackcost", "calibrate", "--actuals", f"cur:{src}", "--month",
                        "2026-10", "--env", "production", "-o", str(out), *extra],
                       capture_output=True, text=True, timeout=180, cwd=tmp_path)
    return r, out


def _prod(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text())["environments"]["production"]
    return data


def _band(v: Any) -> tuple[Decimal, Decimal, Decimal]:
    if isinstance(v, dict):
        return Decimal(str(v["low"])), Decimal(str(v["typical"])), Decimal(str(v["high"]))
    return Decimal(str(v)), Decimal(str(v)), Decimal(str(v))


def _check_known(prod: dict[str, Any]) -> None:
    # 3 tasks every hour: median, 10th and 90th percentile all 3.
    assert prod["fargate"][0]["tasks"] == {"desired": 3, "min": 3, "max": 3}
    # GB per 730-hour month: per-hour rate × 730 (the same every day, so low = typical = high).
    assert _band(prod["nat"]["data_processed_gb"]) == (Decimal(365),) * 3
    assert _band(prod["cloudfront"]["data_out_gb"]) == (Decimal(1460),) * 3
    # 0.1 × 730 = 73 GB of all logs, less the preset's RDS exported logs (20), Enhanced Monitoring (0.5) and
    # Container Insights logs (1) typical values: 51.5.
    assert _band(prod["cloudwatch"]["logs_ingested_gb"])[1] == Decimal("51.5")


def test_cur2_export_with_known_usage(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    src = tmp_path / "cur2.csv"
    write_cur2(src, _prices(stack, catalog))
    r, out = _calibrate(tmp_path, src, "--format", "json")
    assert r.returncode == 0, r.stderr
    _check_known(_prod(out))
    text = out.read_text()
    assert "730-hour month" in text and "APN2-NatGateway-Bytes" in text and "(the window has 744 h)" in text
    data = json.loads(r.stdout)
    assert data["changes"][0]["field"] == "fargate[api].tasks"  # the largest cost effect first
    effects = [abs(Decimal(c["monthly_effect_usd"])) for c in data["changes"]]
    assert effects == sorted(effects, reverse=True)
    # One more task of 2 vCPU for 730 h at the catalog's vCPU-hour rate, plus its memory (4 GB) at the GB-hour rate.
    items = {i.component: i.unit_price_usd for i in estimate(stack, "production", catalog).items}
    one_task = 730 * (2 * items["api: vCPU (x86_64)"] + 4 * items["api: memory GB (x86_64)"])
    assert abs(Decimal(data["changes"][0]["monthly_effect_usd"]) - one_task) < Decimal("0.02")
    kinesis = next(n for n in data["not_calibrated"] if n["usage_type"] == "APN2-ShardHour")
    assert Decimal(kinesis["cost"]) == (10 * _prices(stack, catalog)["nat"]).quantize(Decimal("0.01"))
    # The output is a sizing like any other: `cost estimate --config` takes it, with the new total.
    e = subprocess.run([sys.executable, "-m", "stackcost", "estimate", "production", "--config", str(out),
                        "--format", "json"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert e.returncode == 0, e.stderr
    assert Decimal(json.loads(e.stdout)["total_monthly_usd"]) == Decimal(data["new_total_usd"])


def test_cur2_parquet_and_focus_give_the_same(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    prices = _prices(stack, catalog)
    write_cur2(tmp_path / "cur2.csv", prices)
    pq = tmp_path / "cur2.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT * REPLACE (CAST(line_item_usage_start_date AS TIMESTAMP) AS line_item_usage_start_date, "
        f"CAST(line_item_usage_amount AS DOUBLE) AS line_item_usage_amount, "
        f"CAST(resource_tags AS JSON)::MAP(VARCHAR, VARCHAR) AS resource_tags) "
        f"FROM read_csv('{tmp_path / 'cur2.csv'}', all_varchar=true)) TO '{pq}' (FORMAT parquet)")
    r, out = _calibrate(tmp_path, pq)
    assert r.returncode == 0, r.stderr
    _check_known(_prod(out))
    write_focus(tmp_path / "focus.csv", prices)
    r, out2 = _calibrate(tmp_path, tmp_path / "focus.csv", "--force")
    assert r.returncode == 0, r.stderr
    _check_known(_prod(out2))


def test_scale_out_raises_high_and_profile_not_typical(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    src = tmp_path / "cur2.csv"
    write_cur2(src, _prices(stack, catalog), scale_out_hours=100)
    r, out = _calibrate(tmp_path, src)
    assert r.returncode == 0, r.stderr
    # 644 hours at 2 tasks, 100 at 4: the median hour runs 2, the 90th percentile hour 4 (100/744 = 13 % > 10 %).
    assert _prod(out)["fargate"][0]["tasks"] == {"desired": 2, "min": 2, "max": 4}
    with (tmp_path / "calibrated-fargate-api.csv").open(newline="") as fh:
        hours = list(csv.DictReader(fh))
    assert len(hours) == HOURS and sum(1 for h in hours if Decimal(h["tasks"]) == 4) == 100
    assert hours[0]["hour"] == "2026-10-01T00:00"


def test_no_overwrite_without_force_and_bad_month(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    src = tmp_path / "cur2.csv"
    write_cur2(src, _prices(stack, catalog))
    (tmp_path / "calibrated.yaml").write_text("mine\n")
    r, out = _calibrate(tmp_path, src)
    assert r.returncode == 2 and r.stderr.strip().startswith("error: ") and "--force" in r.stderr
    assert out.read_text() == "mine\n"
    r = subprocess.run([sys.executable, "-m", "stackcost", "calibrate", "--actuals", f"cur:{src}", "--month",
                        "2026-09", "--env", "production", "-o", str(tmp_path / "x.yaml")],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "no billing rows for 2026-09" in r.stderr and not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize("months", ["0", "37"])
def test_bad_months_is_one_line(months: str, tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "stackcost", "calibrate", "--actuals", "cur:/nowhere", "--month",
                        "2026-10", "--months", months, "--env", "production"],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_report_suggests_the_calibration(tmp_path: Path) -> None:
    """The CUR fixture runs 3 API tasks where the preset plans 2 (tests/cur_fixture.py): the report's usage-type
    row for Fargate vCPU suggests 3 tasks, and --suggest-calibration prints the command for production only."""
    from tests import cur_fixture

    r = subprocess.run([sys.executable, "-m", "stackcost", "report", "--month", "2026-11", "--as-of", "2026-11-27",
                        "--actuals", f"cur:{cur_fixture.PATH.parent}", "--format", "md", "--out", str(tmp_path),
                        "--suggest-calibration"], capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "# production: the bill measured fargate[].tasks ≈ 3.00" in lines
    assert any(line.startswith("cost calibrate --actuals cur:") and "--env production" in line for line in lines)
    assert not any("--env staging" in line or "--env development" in line for line in lines)
    data = json.loads((tmp_path / "stackcost-report-2026-11.json").read_text())
    prod = next(e for e in data["environments"] if e["name"] == "production")
    vcpu = next(u for u in prod["usage_types"] if u["usage_type"] == "APN2-Fargate-vCPU-Hours:perCPU")
    assert vcpu["sizing_field"] == "fargate[].tasks" and vcpu["suggested"] == "3.00"
    assert vcpu["estimate_quantity_month"] == "2920.00"  # 2 tasks × 2 vCPU × 730 h, what the estimate assumed


def test_cost_explorer_usage_for_calibration() -> None:
    """GroupBy SERVICE and USAGE_TYPE with UsageQuantity, filtered on the environment's tag values (Stubber)."""
    import boto3
    from botocore.stub import Stubber

    from stackcost.report.cost_explorer import fetch_usage

    ce = boto3.client("ce", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(ce)
    expected = {"TimePeriod": {"Start": "2026-10-01", "End": "2026-11-01"}, "Granularity": "DAILY",
                "Metrics": ["UnblendedCost", "UsageQuantity"],
                "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "DIMENSION", "Key": "USAGE_TYPE"}],
                "Filter": {"Tags": {"Key": "Environment", "Values": ["prod", "production"],
                                    "MatchOptions": ["EQUALS", "CASE_INSENSITIVE"]}}}
    group = {"Keys": ["EC2 - Other", "APN2-NatGateway-Bytes"],
             "Metrics": {"UnblendedCost": {"Amount": "0.59", "Unit": "USD"},
                         "UsageQuantity": {"Amount": "10", "Unit": "GB"}}}
    stub.add_response("get_cost_and_usage", {"ResultsByTime": [
        {"TimePeriod": {"Start": "2026-10-01", "End": "2026-10-02"}, "Groups": [group], "Estimated": False}],
        "NextPageToken": "p2"}, expected)
    stub.add_response("get_cost_and_usage", {"ResultsByTime": [
        {"TimePeriod": {"Start": "2026-10-02", "End": "2026-10-03"}, "Groups": [group], "Estimated": False}]},
        {**expected, "NextPageToken": "p2"})
    from datetime import date

    with stub:
        rows = fetch_usage(ce, date(2026, 10, 1), date(2026, 11, 1), "Environment", "production",
                           ["prod", "production"])
    assert [(r.day.day, r.service, r.usage_type, r.quantity, r.unit, r.usd) for r in rows] == [
        (1, "NAT Gateway", "APN2-NatGateway-Bytes", Decimal(10), "GB", Decimal("0.59")),
        (2, "NAT Gateway", "APN2-NatGateway-Bytes", Decimal(10), "GB", Decimal("0.59"))]


def test_several_fargate_services_split_by_the_ecs_service_tag(tmp_path: Path) -> None:
    """api (2 vCPU) runs 3 tasks and worker (1 vCPU) 2 tasks every hour, told apart by the AWS-generated
    aws:ecs:serviceName tag (CUR 2.0 key `aws_ecs_serviceName`); a third service the config lacks is listed as not
    calibrated. Costs: the preset's catalog rate per vCPU-hour (0.04656, APN2 Fargate x86 Linux)."""
    from stackcost.sizing.load import preset_text

    cfg = yaml.safe_load(preset_text())
    cfg["environments"]["production"]["fargate"].append(
        {"name": "worker", "tasks": 1, "vcpu": 1, "memory_gb": 2})
    (tmp_path / "two.yaml").write_text(yaml.safe_dump(cfg))
    rate = Decimal("0.04656")
    src = tmp_path / "cur2.csv"
    with src.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["line_item_usage_start_date", "line_item_line_item_type", "line_item_product_code",
                    "line_item_usage_type", "line_item_usage_amount", "line_item_unblended_cost", "resource_tags"])
        for h in range(HOURS):
            t = (START + timedelta(hours=h)).isoformat()
            for svc, vcpu_h in (("api", 6), ("worker", 2), ("batch", 1)):
                tags = json.dumps({"user_Environment": "production", "aws_ecs_serviceName": svc})
                w.writerow([t, "Usage", "AmazonECS", "APN2-Fargate-vCPU-Hours:perCPU", vcpu_h, vcpu_h * rate, tags])
    r, out = _calibrate(tmp_path, src, "--config", str(tmp_path / "two.yaml"), "--format", "json")
    assert r.returncode == 0, r.stderr
    fargate = {s["name"]: s["tasks"] for s in _prod(out)["fargate"]}
    assert fargate == {"api": {"desired": 3, "min": 3, "max": 3}, "worker": {"desired": 2, "min": 2, "max": 2}}
    batch = next(n for n in json.loads(r.stdout)["not_calibrated"] if "'batch'" in n["why"])
    assert Decimal(batch["cost"]) == (HOURS * rate).quantize(Decimal("0.01"))
    assert all((tmp_path / f"calibrated-fargate-{n}.csv").is_file() for n in ("api", "worker"))


def test_two_months_classes_and_counts(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    """--months 2 (September 720 h + October 744 h): NAT GB at 1 GB/h then 0.5 GB/h; one NAT Gateway; RDS on
    db.t3.large Single-AZ; two cache.t3.small nodes. Costs: quantities × the catalog rates of the estimate's lines
    (the NAT GB rate for every row: the calibration reads quantities only)."""
    nat_rate = _prices(stack, catalog)["nat"]
    src = tmp_path / "cur2.csv"
    with src.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["line_item_usage_start_date", "line_item_line_item_type", "line_item_product_code",
                    "line_item_usage_type", "line_item_usage_amount", "line_item_unblended_cost", "resource_tags"])
        t = datetime(2026, 9, 1)
        while t < datetime(2026, 11, 1):
            gb = Decimal(1) if t.month == 9 else Decimal("0.5")
            for code, ut, qty in (("AmazonEC2", "APN2-NatGateway-Bytes", gb), ("AmazonEC2", "APN2-NatGateway-Hours", 1),
                                  ("AmazonRDS", "APN2-InstanceUsage:db.t3.large", 1),
                                  ("AmazonElastiCache", "APN2-NodeUsage:cache.t3.small", 2)):
                w.writerow([t.isoformat(), "Usage", code, ut, qty, Decimal(qty) * nat_rate,
                            json.dumps({"user_Environment": "production"})])
            t += timedelta(hours=1)
    r, out = _calibrate(tmp_path, src, "--months", "2")
    assert r.returncode == 0, r.stderr
    prod = _prod(out)
    # (720 × 1 + 744 × 0.5) GB over 1464 h, per 730 h: 1092 × 730 / 1464 = 544.508 -> 544.51; the days:
    # 30 at 24 GB (730 GB per 730 h) and 31 at 12 GB (365): 10th percentile 365, 90th 730.
    assert _band(prod["nat"]["data_processed_gb"]) == (Decimal(365), Decimal("544.51"), Decimal(730))
    assert prod["nat"]["gateways"] == 1
    assert prod["rds"]["instance_class"] == "db.t3.large" and prod["rds"].get("multi_az", False) is False
    assert prod["elasticache"] == {**prod["elasticache"], "node_type": "cache.t3.small", "nodes": 2}
    assert "2026-09, 2026-10" in out.read_text()


def test_aurora_acu_hours_into_the_acu_band(stack: Stack, catalog: Catalog) -> None:
    """One db.serverless instance at 2 ACUs for 600 hours and 8 ACUs for 144 (19 % of October's hours): the
    median hour is 2, the 90th percentile hour 8; max_acu 4 is widened to hold 8."""
    from stackcost.calibrate.run import calibrate
    from stackcost.report.actuals import ActualRow
    from stackcost.report.mapping import from_billing

    data = stack.model_dump(mode="python")
    data["environments"]["production"]["aurora"] = {
        "instances": [{"instance_class": "db.serverless", "count": 1}], "min_acu": 0.5, "max_acu": 4,
        "acu": {"low": 0.5, "typical": 1, "high": 4}}
    base = Stack.model_validate(data)
    rows = []
    for h in range(HOURS):
        t = START + timedelta(hours=h)
        acu = Decimal(8) if h >= 600 else Decimal(2)
        ut = "APN2-Aurora:ServerlessV2Usage"
        rows.append(ActualRow(day=t.date(), hour=t.hour, environment="production", aws_service="AmazonRDS",
                              service=from_billing("AmazonRDS", ut), usd=Decimal(0), usage_type=ut, quantity=acu,
                              unit="ACU-Hr"))
    res = calibrate(base, catalog, "production", rows, ["2026-10"], "test rows")
    aurora = res.stack.model_dump(mode="python")["environments"]["production"]["aurora"]  # type: ignore[union-attr]
    assert (aurora["acu"]["low"], aurora["acu"]["typical"], aurora["acu"]["high"]) == (2, 2, 8)
    assert aurora["max_acu"] == 8 and aurora["min_acu"] == Decimal("0.5")
    assert "aurora.acu" in res.calibrated


def test_calibrate_from_cost_explorer(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    """`--actuals ce`: daily UsageQuantity per SERVICE and USAGE_TYPE (botocore Stubber): 12 GB of NAT data a day
    in October -> 372 GB in 744 h -> 365 GB per 730-hour month."""
    import boto3
    from botocore.stub import ANY, Stubber

    from stackcost.calibrate.command import run
    from stackcost.report.cost_explorer import Clients

    ce = boto3.client("ce", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    rate = _prices(stack, catalog)["nat"]
    days = [{"TimePeriod": {"Start": (START + timedelta(days=d)).date().isoformat(),
                            "End": (START + timedelta(days=d + 1)).date().isoformat()},
             "Groups": [{"Keys": ["EC2 - Other", "APN2-NatGateway-Bytes"],
                         "Metrics": {"UnblendedCost": {"Amount": str(12 * rate), "Unit": "USD"},
                                     "UsageQuantity": {"Amount": "12", "Unit": "GB"}}}], "Estimated": False}
            for d in range(31)]
    stub = Stubber(ce)
    stub.add_response("get_cost_and_usage", {"ResultsByTime": days}, {
        "TimePeriod": {"Start": "2026-10-01", "End": "2026-11-01"}, "Granularity": "DAILY",
        "Metrics": ANY, "GroupBy": ANY, "Filter": ANY})
    with stub:
        res, _ = run(stack, catalog, actuals="ce", month="2026-10", months=1, env="production",
                     output=tmp_path / "ce.yaml", force=False, fmt="text",
                     clients=Clients(ce=ce, forecast=ce, budgets=None, sts=None))
    prod = _prod(tmp_path / "ce.yaml")
    assert _band(prod["nat"]["data_processed_gb"]) == (Decimal(365),) * 3
    assert res.source.startswith("Cost Explorer")
