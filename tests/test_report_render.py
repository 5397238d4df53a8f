"""How the report reads: the headline first, charts before the assumptions, a full burn-down, plain-language
sources, VAT beside the amount it is on; the workbook read back with openpyxl (numbers as numbers with formats,
totals as formulas that add up, whole sheet names, line items with SKU and rate code); the prices' age.

Expected values are worked by hand from the published prices (production: tests/pricelist_fixtures.py
production_lines_by_hand(); staging and development: the hand tables below; the Fargate variance: test_report.py)
or read from the input files with plain Python."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from stackcost.catalog import Catalog
from stackcost.paths import pricing_data_root
from stackcost.report.run import make_report
from stackcost.sizing.model import Stack
from tests import cur_fixture
from tests.pricelist_fixtures import production_lines_by_hand, published_price, published_rows

CUR = cur_fixture.PATH.parent
AS_OF = date(2026, 11, 27)  # data through the 26th of a 30-day month


def _cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# -- staging and development of the preset, priced by hand ------------------------------------------------------
# Quantities read off presets/hospital-erp.yaml (typical values) by hand, prices the published strings of
# seoul_prices.csv, each line rounded half-up to the cent. All three environments are in account hospital-erp:
# an account-wide free allowance goes to production first, then staging, then development.

def _shared_lines(vcpu: Decimal, memory_gb: int, rds: str, storage_gb: int, nat_gb: int, lcu_per_h: Decimal,
                  s3: tuple[int, int, int], logs: tuple[Decimal, Decimal, Decimal, Decimal],
                  stored_gb: int, secrets_requests: int) -> list[tuple[str, Decimal]]:
    """The lines staging and development both have, for one task of `vcpu`/`memory_gb` and one RDS instance."""
    p = published_price
    h = Decimal(730)
    ingest = p("CloudWatch", "CloudWatch Logs standard ingestion")
    return [
        ("Fargate vCPU", h * vcpu * p("Fargate", "Fargate Linux/x86 vCPU")),
        ("Fargate memory", h * memory_gb * p("Fargate", "Fargate Linux/x86 memory")),
        ("RDS instance", h * p("RDS PostgreSQL", f"{rds} PostgreSQL Single-AZ on-demand")),
        ("RDS gp3 storage", storage_gb * p("RDS storage", "gp3 storage Single-AZ")),
        ("ElastiCache 1 node", h * p("ElastiCache", "cache.t3.micro Redis node on-demand")),
        # two NAT Gateways (one per AZ, as in production)
        ("NAT hours", 2 * h * p("NAT Gateway", "Hourly charge for NAT Gateways")),
        ("NAT data", nat_gb * p("NAT Gateway", "Charge for per GB data processed by NatGateways")),
        ("ALB hours", h * p("Elastic Load Balancing", "Application Load Balancer Hours")),
        ("ALB LCU", lcu_per_h * h * p("Elastic Load Balancing", "Application Load Balancer LCU Hours")),
        ("S3 storage", s3[0] * p("S3", "Standard Storage First 50 TB per GB Mo")),
        ("S3 PUT", s3[1] * p("S3", "PUT COPY/POST or LIST requests per Requests")),
        ("S3 GET", s3[2] * p("S3", "GET and all other requests per Requests")),
        # production's 51.5 GB of log ingestion, 100 GB stored and 37 metrics use up the free 5 GB, 5 GB, 10 metrics
        ("application logs", logs[0] * ingest),
        ("PostgreSQL logs", logs[1] * ingest),
        ("RDS Enhanced Monitoring", logs[2] * ingest),
        ("Container Insights logs", logs[3] * ingest),
        ("log storage", stored_gb * p("CloudWatch", 'CloudWatch Logs stored data (pricing-page key "Stored Data")')),
        # AWS's Container Insights metric table for one Fargate service: 37 metrics, none free any more
        ("metrics", 37 * p("CloudWatch", "custom metrics first 10,000")),
        ("secrets", 2 * p("Secrets Manager", "Secret")),
        ("secrets API", secrets_requests * p("Secrets Manager", "API Request")),
        # 2 NAT Elastic IPs + 2 ALB node addresses
        ("public IPv4", 4 * h * p("VPC", "Hourly charge for In use Public IPv4 Addresses per Hrs")),
    ]


def staging_lines_by_hand() -> list[tuple[str, Decimal]]:
    p = published_price
    lines = _shared_lines(Decimal(1), 2, "db.t3.small", 50, 30,
                          # LCU/h = max(0.5 new/s ÷ 25, 50 active/min ÷ 3,000, 0.02 GB/h, 2 rules free) = 0.02
                          Decimal("0.02"), (10, 10_000, 100_000),
                          (Decimal(5), Decimal(5), Decimal("0.5"), Decimal("0.5")), 20, 2_000)
    lines += [
        # 50 GB of backups, 50 GB (= allocated storage) free
        ("RDS backup", Decimal(0)),
        # 10 GB and 200,000 requests: inside what production leaves of CloudFront's free 1 TB and 10,000,000
        ("CloudFront", Decimal(0)),
        # 3 alarms + 2 of the target-tracking policy: the 5 alarm metrics production leaves of the free 10
        ("alarms", Decimal(0)),
        ("Route 53 zone", p("Route 53", "DNS Zone first 25 (global price, not Seoul-specific)")),
        # 200,000 queries, no alias share given for staging: all standard
        ("Route 53 queries", 200_000 * p(
            "Route 53", "Query Standard External first 1B (global price, not Seoul-specific)")),
        ("ACM", Decimal(0)),  # public certificate on the ALB: free
        # 5 GB crossing AZs, billed out and in
        ("inter-AZ", 2 * 5 * p("Data transfer (inter-AZ)", next(
            r["description"] for r in published_rows() if r["usage_type"] == "APN2-DataTransfer-Regional-Bytes"))),
        # 5 GB out: inside the 50 GB production leaves of the free 100 GB
        ("internet egress", Decimal(0)),
    ]
    return [(name, _cents(amount)) for name, amount in lines]


def development_lines_by_hand() -> list[tuple[str, Decimal]]:
    p = published_price
    lines = _shared_lines(Decimal("0.5"), 1, "db.t3.micro", 20, 20,
                          # LCU/h = max(0.2 new/s ÷ 25, 20 active/min ÷ 3,000, 0.01 GB/h, 2 rules free) = 0.01
                          Decimal("0.01"), (5, 5_000, 20_000),
                          (Decimal(2), Decimal(2), Decimal("0.5"), Decimal("0.2")), 5, 1_000)
    lines += [
        # production and staging took the 10 free alarm metrics: 3 alarms + 2 of the scaling policy, all billed
        ("alarms", 5 * p("CloudWatch", "standard-resolution alarm")),
        ("ACM", Decimal(0)),
        # 2 GB out: inside the 45 GB production and staging leave of the free 100 GB; no backups, CloudFront,
        # Route 53 or inter-AZ traffic in development
        ("internet egress", Decimal(0)),
    ]
    return [(name, _cents(amount)) for name, amount in lines]


# The preset's monthly estimates, by hand from the published prices.
ESTIMATES = {"production": sum((a for *_, a in production_lines_by_hand()), Decimal(0)),
             "staging": sum((a for _, a in staging_lines_by_hand()), Decimal(0)),
             "development": sum((a for _, a in development_lines_by_hand()), Decimal(0))}


def _report(stack: Stack, catalog: Catalog, out: Path, fmt: str, **kw: Any) -> Path:
    args: dict[str, Any] = {"month": "2026-11", "env": "all", "actuals": f"cur:{CUR}", "fmt": fmt, "out": out,
                            "as_of": AS_OF}
    return make_report(stack, catalog, **(args | kw))


def test_html_reads_headline_first_then_charts_then_details(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    html = _report(stack, catalog, tmp_path, "html", budget=Decimal(600)).read_text()
    data = json.loads((tmp_path / "stackcost-report-2026-11.json").read_text())
    prod = next(e for e in data["environments"] if e["name"] == "production")
    # The forecast is the days so far extended: 575.46 over 26 days × 30 = 663.99 (rounded), over the 600 budget.
    forecast = (Decimal(prod["actual_to_date"]) / 26 * 30).quantize(Decimal("0.01"))
    sentence = f"production will end 2026-11 at ${forecast} against a budget of $600.00 " \
               f"(${forecast - 600} over; at risk)."
    assert sentence in html
    pos = {k: html.index(k) for k in (sentence, "<h2>Summary", "<h2>Charts", "estimate against actual, per service",
                                      "<h2>Assumptions and prices")}
    assert list(pos.values()) == sorted(pos.values()), pos
    assert "#b35900" in html[html.index(sentence) - 200:html.index(sentence) + 200]  # amber: at risk
    burn = re.search(r'<svg[^>]*aria-label="production: spend through 2026-11".*?</svg>', html)
    assert burn
    svg = burn.group(0)
    for label in ("budget", "estimate", "actual", "forecast", "day of the month", "cumulative USD (before VAT)",
                  f"forecast ${forecast}"):
        assert label in svg, label
    assert "Budget: given on the command line." in html and "Budget source: --budget" not in html


def test_without_actuals_vat_sits_on_the_estimate(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    text = _report(stack, catalog, tmp_path, "md", actuals=None).read_text()
    row = next(line for line in text.splitlines() if line.startswith("| VAT 10% on the estimate"))
    cells = [x.strip() for x in row.strip("|").split("|")]
    total = sum(ESTIMATES.values())  # the three hand totals
    vat = _cents(total * Decimal("0.1"))  # 10 % of it, to the cent
    assert cells[2] == f"${vat:,.2f}"  # the Estimate (month) column
    assert cells[5] == "—"  # not in the forecast column: there is no forecast
    incl = next(line for line in text.splitlines() if line.startswith("| Total estimate incl. VAT"))
    assert [x.strip() for x in incl.strip("|").split("|")][2] == f"${total + vat:,.2f}"
    assert f"production is estimated at ${ESTIMATES['production']:,.2f} for 2026-11 against no budget" in text


def test_the_report_says_how_old_the_prices_are(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    text = _report(stack, catalog, tmp_path, "md").read_text()
    # The catalog is Seoul's plus the global one (CloudFront, Route 53): each offer's newest date over both manifests.
    newest: dict[str, str] = {}
    for part in ("ap-northeast-2", "global"):
        manifest = json.loads((pricing_data_root() / part / "manifest.json").read_text())
        for code, o in manifest["offers"].items():
            if o["published_max"]:
                newest[code] = max(newest.get(code, ""), o["published_max"])
    stale = sorted(code for code, day in newest.items() if (AS_OF - date.fromisoformat(day)).days > 365)
    data = json.loads((tmp_path / "stackcost-report-2026-11.json").read_text())
    assert sorted(data["freshness"]["stale_offers"]) == stale and {"AWSELB", "AmazonCloudFront"} <= set(stale)
    assert f"{len(stale)} of {len(newest)} price lists" in text
    assert "cost catalog refresh" in text and "QuinnyPig/aws-price-watcher" in text


# -- the workbook ----------------------------------------------------------------------------------------------

NUMERIC_TEXT = re.compile(r"^\s*[+\-−]?[$₩]?\s*[\d,]+(\.\d+)?\s*%?\s*$")


def _sum_formula(ws: Any, formula: str) -> Decimal:
    """Evaluate =SUM(Xa:Xb) over the sheet's cells, the way Excel would."""
    m = re.fullmatch(r"=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)", formula)
    assert m and m.group(1) == m.group(3), formula
    return sum((Decimal(str(ws[f"{m.group(1)}{r}"].value or 0)) for r in range(int(m.group(2)), int(m.group(4)) + 1)),
               Decimal(0))


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory, stack: Stack, catalog: Catalog) -> Any:
    from openpyxl import load_workbook

    out = tmp_path_factory.mktemp("xlsx")
    path = _report(stack, catalog, out, "xlsx", krw=(Decimal(1400), "2026-11-26"), budget=Decimal(600))
    return load_workbook(path)


def test_no_number_is_text(workbook: Any) -> None:
    numeric_text = [(ws.title, cell.coordinate, cell.value) for ws in workbook for row in ws.iter_rows()
                    for cell in row if isinstance(cell.value, str) and NUMERIC_TEXT.match(cell.value)]
    assert numeric_text == []


def test_amounts_carry_their_formats(workbook: Any) -> None:
    summary = workbook["Summary 2026-11"]
    header = [c.value for c in summary[2]]
    prod = next(r for r in summary.iter_rows(min_row=3) if r[0].value == "production")
    krw = prod[header.index("Forecast (KRW)")]
    forecast = prod[header.index("Forecast month end")]
    assert isinstance(krw.value, int) and "₩" in krw.number_format and "$" in forecast.number_format
    assert abs(krw.value - forecast.value * 1400) <= 1  # whole won
    per_service = workbook["production estimate vs actual"]
    fargate = next(r for r in per_service.iter_rows(min_row=3) if r[0].value == "ECS Fargate")
    # 70.86 over an estimate to date of 141.72 (test_report.py): +50.0 %
    assert fargate[5].value == pytest.approx(70.86 / 141.72, abs=1e-4) and "%" in fargate[5].number_format


def test_totals_are_formulas_that_add_up(workbook: Any) -> None:
    summary = workbook["Summary 2026-11"]
    header = [c.value for c in summary[2]]
    total = next(r for r in summary.iter_rows(min_row=3) if r[0].value == "Total")
    estimate = total[header.index("Estimate (month)")].value
    assert isinstance(estimate, str) and estimate.startswith("=SUM(")
    assert _sum_formula(summary, estimate) == sum(ESTIMATES.values())  # the three hand totals
    budget = total[header.index("Budget")].value
    assert _sum_formula(summary, budget) == 3 * 600
    vat = next(r for r in summary.iter_rows(min_row=3) if str(r[0].value).startswith("VAT 10%"))
    col = header.index("Forecast month end")
    m = re.fullmatch(r"=ROUND\(([A-Z]+\d+)\*0\.10,2\)", vat[col].value)
    assert m and m.group(1) == total[col].coordinate
    lines = workbook["production line items"]
    last = lines.max_row
    assert lines[f"A{last}"].value == "Total"
    assert _sum_formula(lines, lines[f"C{last}"].value) == ESTIMATES["production"]


def test_sheet_names_read_whole(workbook: Any) -> None:
    names = workbook.sheetnames
    assert all(len(n) <= 31 for n in names)
    for want in ("Summary 2026-11", "production estimate vs actual", "development estimate vs actual",
                 "production burn-down", "production line items", "Commitments", "Assumptions"):
        assert want in names, names


def test_line_items_name_their_sku_and_rate_code(workbook: Any) -> None:
    # The Fargate x86 vCPU-hour price in the shipped catalog, found by plain JSON reading.
    ecs = pricing_data_root() / "ap-northeast-2" / "AmazonECS.jsonl"
    rec = next(r for r in map(json.loads, ecs.read_text().splitlines())
               if r["usage_type"] == "APN2-Fargate-vCPU-Hours:perCPU" and r["term"] == "OnDemand")
    ws = workbook["production line items"]
    header = [c.value for c in ws[2]]
    row = next(r for r in ws.iter_rows(min_row=3) if r[1].value == "api: vCPU (x86_64)")
    assert row[header.index("SKU")].value == rec["sku"] and row[header.index("Rate code")].value == rec["rate_code"]
    assert row[header.index("Unit price (USD)")].value == float(rec["price_usd"])
    # 2 tasks × 730 h × 2 vCPU × 0.04656 = 135.96
    assert row[header.index("Per month (USD)")].value == pytest.approx(135.96)


def test_burn_down_has_the_forecast(workbook: Any) -> None:
    ws = workbook["production burn-down"]
    assert [c.value for c in ws[1]] == ["day", "actual (cumulative)", "estimate", "budget", "forecast"]
    chart = ws._charts[0]
    assert len(chart.series) == 4
    day30 = next(r for r in ws.iter_rows(min_row=2) if r[0].value == 30)
    summary = workbook["Summary 2026-11"]
    header = [c.value for c in summary[2]]
    prod = next(r for r in summary.iter_rows(min_row=3) if r[0].value == "production")
    assert day30[4].value == pytest.approx(prod[header.index("Forecast month end")].value)
    assert day30[1].value is None  # no actual yet for the 30th (data through the 26th)
