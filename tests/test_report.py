"""`cost report`: estimate vs budget vs actual from a CUR 2.0 Parquet export (DuckDB), Cost Explorer and Budgets
in a moto server (forecast under botocore's Stubber), a simple CSV; HTML printed to PDF in chromium; Excel read
back with openpyxl; a variance checked by hand."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from stackcost.catalog import Catalog
from stackcost.report.cost_explorer import Clients
from stackcost.report.run import make_report
from stackcost.sizing.model import Stack
from tests import cur_fixture

CUR = cur_fixture.PATH.parent
AS_OF = date(2026, 11, 27)  # data through the 26th


def _report(out: Path, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "stackcost-report-2026-11.json").read_text())
    return data


def _env(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in data["environments"] if e["name"] == name)


def test_the_committed_cur_fixture_is_reproducible(tmp_path: Path) -> None:
    import duckdb

    fresh = cur_fixture.write(tmp_path / "fresh.parquet")
    q = ("SELECT line_item_usage_type, product_servicecode, resource_tags, round(sum(line_item_unblended_cost), 6) "
         "FROM read_parquet('{}') GROUP BY ALL ORDER BY ALL")
    con = duckdb.connect()
    assert con.execute(q.format(fresh)).fetchall() == con.execute(q.format(cur_fixture.PATH)).fetchall()


def test_cur_report_variance_by_hand(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    path = make_report(stack, catalog, month="2026-11", env="all", actuals=f"cur:{CUR}", fmt="md", out=tmp_path,
                       as_of=AS_OF, budget=Decimal(700))
    assert path.name == "stackcost-report-2026-11.md"
    prod = _env(_report(tmp_path), "production")
    fargate = next(s for s in prod["services"] if s["service"] == "ECS Fargate")
    # Actual: 26 days × 24 h × 3 tasks × (2 × 0.04656 + 4 × 0.00511) = 212.58 (the config plans 2 tasks);
    # estimate to date: the 730-hour month's 165.80 × 624 h / 730 h = 141.72.
    actual = 26 * 24 * 3 * (2 * Decimal("0.04656") + 4 * Decimal("0.00511"))
    assert fargate["actual_to_date"] == str(actual.quantize(Decimal("0.01"))) == "212.58"
    assert fargate["estimate_to_date"] == "141.72" and fargate["variance"] == "70.86" and fargate["flagged"]
    rds = next(s for s in prod["services"] if s["service"] == "RDS PostgreSQL")
    assert not rds["flagged"] and abs(Decimal(rds["variance"])) <= Decimal("0.01")  # ran as planned
    assert prod["unmodelled"][0][0] == "Tax" and prod["status"] == "on track" and prod["budget"] == "700.00"
    text = path.read_text()
    assert "VAT 10% on the forecast (Korean billing)" in text and "⚠ check" in text


def test_html_is_self_contained_escaped_and_prints(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    csv_path = tmp_path / "spend.csv"
    csv_path.write_text("date,service,environment,USD\n2026-11-02,<script>alert(1)</script>,production,"
                        "0.059\n2026-11-02,Amazon Elastic Container Service,production,0.04656\n")
    path = make_report(stack, catalog, month="2026-11", env="production", actuals=f"csv:{csv_path}", fmt="html",
                       out=tmp_path, as_of=AS_OF, krw=(Decimal(1400), "2026-11-26"))
    html = path.read_text()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<svg" in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "₩" in html and "rate of 2026-11-26" in html
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.fail("chromium is missing: `make test` installs it with apt-get")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu",
                                    "--disable-background-networking", "--disable-component-update",
                                    "--disable-sync"])
        page = browser.new_page()
        page.goto(path.as_uri())
        assert page.title() == "AWS spend report 2026-11"
        assert page.locator("svg").count() == 3
        pdf = page.pdf(path=str(tmp_path / "report.pdf"), format="A4")
        browser.close()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


def test_xlsx_numbers_and_charts(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = make_report(stack, catalog, month="2026-11", env="all", actuals=f"cur:{CUR}", fmt="xlsx", out=tmp_path,
                       as_of=AS_OF)
    wb = load_workbook(path)
    summary = wb[wb.sheetnames[0]]
    rows = {r[0]: r for r in summary.iter_rows(min_row=3, values_only=True) if r[0]}
    assert rows["production"][2] == pytest.approx(float(_estimate_by_hand()))
    assert rows["production"][4] == pytest.approx(float(_actual_to_date("production")))
    per_service = wb[next(n for n in wb.sheetnames if n.startswith("production estimate"))]
    fargate = next(r for r in per_service.iter_rows(values_only=True) if r[0] == "ECS Fargate")
    assert fargate[4] == pytest.approx(70.86)
    assert per_service._charts and wb[next(n for n in wb.sheetnames if "burn-down" in n)]._charts


def test_previous_month_and_no_actuals(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    make_report(stack, catalog, month="2026-10", env="all", actuals=None, fmt="md", out=tmp_path,
                as_of=date(2026, 11, 1))
    oct_ = json.loads((tmp_path / "stackcost-report-2026-10.json").read_text())
    assert oct_["actuals_unavailable"].startswith("no actual spend source given")
    path = make_report(stack, catalog, month="2026-11", env="all", actuals=f"cur:{CUR}", fmt="md", out=tmp_path,
                       as_of=AS_OF)
    text = path.read_text()
    assert "Change against the previous report (2026-10)" in text


def test_ce_without_credentials_still_writes_the_report(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
               AWS_EC2_METADATA_DISABLED="true")
    r = subprocess.run([sys.executable, "-m", "stackcost", "report", "--month", "2026-11", "--actuals", "ce",
                        "--format", "md", "--out", str(tmp_path), "--as-of", "2026-11-27"], capture_output=True,
                       text=True, env=env, timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "stackcost-report-2026-11.md").read_text()
    assert "No actual spend: Cost Explorer: no AWS credentials found" in text


def test_bad_inputs_are_one_line(tmp_path: Path) -> None:
    for args, msg in ((["--month", "2026-13"], "expected YYYY-MM"),
                      (["--month", "2026-11", "--actuals", "cur:/nowhere"], "/nowhere: no such file"),
                      (["--month", "2026-11", "--actuals", "s3:x"], "expected ce, cur:PATH or csv:PATH"),
                      (["--month", "2026-11", "--env", "qa"], "no environment 'qa'")):
        r = subprocess.run([sys.executable, "-m", "stackcost", "report", *args, "--out", str(tmp_path)],
                           capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and msg in r.stderr, r.stderr


# -- Cost Explorer and Budgets in a moto server -----------------------------------------------------------------

@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _actual_to_date(env: str) -> Decimal:
    """The environment's spend in the CUR fixture, tax excluded: plain SQL over the Parquet file."""
    import duckdb

    total = duckdb.sql(f"SELECT sum(line_item_unblended_cost) FROM '{cur_fixture.PATH}' "
                       f"WHERE line_item_line_item_type <> 'Tax' AND resource_tags['user_environment'] = '{env}'"
                       ).fetchall()
    return Decimal(str(total[0][0])).quantize(Decimal("0.01"))


def _estimate_by_hand() -> Decimal:
    from tests.pricelist_fixtures import production_lines_by_hand

    return sum((amount for *_, amount in production_lines_by_hand()), Decimal(0))


def _ce_results() -> tuple[dict[str, Any], dict[str, Any]]:
    """Cost Explorer answers (MONTHLY, then DAILY) built from the same real-price rows as the CUR fixture."""
    from stackcost.registry import for_billing_name

    daily: dict[str, dict[tuple[str, str], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in cur_fixture.rows():
        start, kind, code, usage_type, cost, tags = row[1], row[3], row[5], row[6], row[9], row[13]
        if kind == "Tax":
            service = "Tax"
        else:
            entry = for_billing_name(str(code), str(usage_type))
            assert entry is not None, code
            service = entry.ce_name
        daily[start.date().isoformat()][(service, f"Environment${tags['user_environment']}")] += \
            Decimal(str(cost))  # type: ignore[index,union-attr]

    def groups(amounts: dict[tuple[str, str], Decimal]) -> list[dict[str, Any]]:
        return [{"Keys": list(k), "Metrics": {"UnblendedCost": {"Amount": str(v), "Unit": "USD"},
                                              "AmortizedCost": {"Amount": str(v), "Unit": "USD"}}}
                for k, v in sorted(amounts.items())]

    month: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for amounts in daily.values():
        for k, v in amounts.items():
            month[k] += v
    monthly = {"ResultsByTime": [{"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-27"}, "Total": {},
                                  "Groups": groups(month), "Estimated": True}]}
    days = {"ResultsByTime": [{"TimePeriod": {"Start": d, "End": d}, "Total": {}, "Groups": groups(a),
                               "Estimated": True} for d, a in sorted(daily.items())]}
    return monthly, days


def test_cost_explorer_budgets_and_forecast(stack: Stack, catalog: Catalog, moto_url: str, tmp_path: Path) -> None:
    monthly, days = _ce_results()
    req = urllib.request.Request(f"{moto_url}/moto-api/static/ce/cost-and-usage-results", method="POST",
                                 data=json.dumps({"results": [monthly, days]}).encode(),
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req)
    kw = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing",
          "endpoint_url": moto_url}
    budgets, sts = boto3.client("budgets", **kw), boto3.client("sts", **kw)
    account = sts.get_caller_identity()["Account"]
    budgets.create_budget(AccountId=account, Budget={
        "BudgetName": "hospital-erp-production", "BudgetLimit": {"Amount": "600", "Unit": "USD"},
        "TimeUnit": "MONTHLY", "BudgetType": "COST",
        "CostFilters": {"TagKeyValue": ["user:Environment$production"]}})
    # moto has no get_cost_forecast: that one call is answered by a Stubber, in AWS's format.
    forecast = boto3.client("ce", region_name="us-east-1", aws_access_key_id="testing",
                            aws_secret_access_key="testing")
    stub = Stubber(forecast)
    # Rest of the month at the same daily rate as the production rows: 4 days × (actual to date / 26).
    actual = _actual_to_date("production")
    rest = (actual / 26 * 4).quantize(Decimal("0.0001"))
    stub.add_response("get_cost_forecast", {"Total": {"Amount": str(rest), "Unit": "USD"}, "ForecastResultsByTime": []},
                      {"TimePeriod": {"Start": "2026-11-27", "End": "2026-12-01"}, "Metric": "UNBLENDED_COST",
                       "Granularity": "MONTHLY", "Filter": {"Tags": {"Key": "Environment", "Values": ["production"]}}})
    clients = Clients(ce=boto3.client("ce", **kw), forecast=forecast, budgets=budgets, sts=sts)
    with stub:
        make_report(stack, catalog, month="2026-11", env="production", actuals="ce", fmt="md", out=tmp_path,
                    as_of=AS_OF, clients=clients)
        stub.assert_no_pending_responses()
    prod = _env(_report(tmp_path), "production")
    assert prod["actual_to_date"] == str(actual) and prod["budget"] == "600.00"
    assert prod["budget_source"] == "AWS Budgets"
    assert prod["forecast_method"] == "Cost Explorer forecast"
    assert prod["forecast"] == str((Decimal(prod["actual_to_date"]) + rest).quantize(Decimal("0.01")))
    assert prod["status"] == "at risk"  # the forecast is above the 600 budget
    fargate = next(s for s in prod["services"] if s["service"] == "ECS Fargate")
    assert fargate["variance"] == "70.86"
    # Cost Explorer answers are cached (each request is billed): a second report makes no Cost Explorer call.
    assert sorted(p.name for p in (tmp_path / ".cache").iterdir())[0].startswith("ce-2026-11-asof-2026-11-27")
    no_calls = Clients(ce=object(), forecast=object(), budgets=budgets, sts=sts)
    make_report(stack, catalog, month="2026-11", env="production", actuals="ce", fmt="md", out=tmp_path,
                as_of=AS_OF, clients=no_calls)
    assert _env(_report(tmp_path), "production")["actual_to_date"] == str(actual)
