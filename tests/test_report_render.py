"""How the report reads: the headline first, charts before the assumptions, a full burn-down, plain-language
sources, VAT beside the amount it is on; the workbook read back with openpyxl (numbers as numbers with formats,
totals as formulas that add up, whole sheet names, line items with SKU and rate code); the prices' age.

Expected values are worked by hand from the published prices (see test_report.py and test_ui.py for the
derivations of $590.32, $198.03, $144.72 and the Fargate variance) or read from the input files with plain
Python."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from stackcost.catalog import Catalog
from stackcost.paths import pricing_data_root
from stackcost.report.run import make_report
from stackcost.sizing.model import Stack
from tests import cur_fixture

CUR = cur_fixture.PATH.parent
AS_OF = date(2026, 11, 27)  # data through the 26th of a 30-day month
# The preset's monthly estimates, by hand from the published prices (test_ui.py, test_report.py).
ESTIMATES = {"production": Decimal("590.32"), "staging": Decimal("198.03"), "development": Decimal("144.72")}


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
    total = sum(ESTIMATES.values())  # 933.07
    assert cells[2] == f"${total * Decimal('0.1'):,.2f}" == "$93.31"  # the Estimate (month) column
    assert cells[5] == "—"  # not in the forecast column: there is no forecast
    incl = next(line for line in text.splitlines() if line.startswith("| Total estimate incl. VAT"))
    assert [x.strip() for x in incl.strip("|").split("|")][2] == f"${total + Decimal('93.31'):,.2f}"
    assert "production is estimated at $590.32 for 2026-11 against no budget" in text


def test_the_report_says_how_old_the_prices_are(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    text = _report(stack, catalog, tmp_path, "md").read_text()
    manifest = json.loads((pricing_data_root() / "ap-northeast-2" / "manifest.json").read_text())
    stale = sorted(code for code, o in manifest["offers"].items()
                   if o["published_max"] and (AS_OF - date.fromisoformat(o["published_max"])).days > 365)
    data = json.loads((tmp_path / "stackcost-report-2026-11.json").read_text())
    assert sorted(data["freshness"]["stale_offers"]) == stale and "AWSELB" in stale
    assert f"{len(stale)} of {sum(1 for o in manifest['offers'].values() if o['published_max'])} price lists" in text
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
    assert _sum_formula(summary, estimate) == sum(ESTIMATES.values()) == Decimal("933.07")
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
