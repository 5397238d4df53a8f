"""Billing exports read from real public files (the FinOps Foundation's FOCUS 1.0 sample data, the anonymised legacy
CUR of its converter tests) and from files the tests write for what those lack (CUR 2.0 CSV gzip, Athena naming,
FOCUS 1.2 in KRW with corrections, two months, 50 tag values). Every expected total is summed here with Python's
csv module or plain DuckDB SQL over the file itself, never with the reader under test."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from stackcost.catalog import Catalog
from stackcost.estimate import cents
from stackcost.report.actuals import ActualsError
from stackcost.report.billing.read import read_files
from stackcost.report.run import make_report
from stackcost.sizing.model import Stack
from tests import cur_fixture

REAL = Path(__file__).parent / "fixtures" / "billing-real"
FOCUS10 = REAL / "focus-1.0-sample" / "focus_sample_excerpt.csv"
LEGACY = REAL / "cur-legacy-anonymous" / "sample-anonymous-aws-export-excerpt.csv"
CUR2 = cur_fixture.PATH


def _run(stack: Stack, catalog: Catalog, out: Path, actuals: str, month: str, **kw: Any) -> dict[str, Any]:
    y, m = map(int, month.split("-"))
    as_of = date(y + (m == 12), m % 12 + 1, 1)  # the month is complete
    make_report(stack, catalog, month=month, env="all", actuals=actuals, fmt="md", out=out, as_of=as_of, **kw)
    data: dict[str, Any] = json.loads((out / f"stackcost-report-{month}.json").read_text())
    return data


def _env(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in data["environments"] if e["name"] == name)


def _focus_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _focus_env(row: dict[str, str]) -> str:
    tags = row["Tags"]
    return "" if tags in ("", "NULL") else str(json.loads(tags).get("environment", ""))


# -- FOCUS 1.0: the FinOps Foundation's anonymised sample (AWS, Microsoft, Oracle) -------------------------------

def test_focus_real_sample_totals_credits_and_other_providers(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    rows = _focus_rows(FOCUS10)
    aws = [r for r in rows if r["ProviderName"] == "AWS"]
    billed = sum((Decimal(r["BilledCost"]) for r in aws if r["ChargeCategory"] != "Tax"), Decimal(0))
    credits = sum((Decimal(r["BilledCost"]) for r in aws if r["ChargeCategory"] == "Credit"), Decimal(0))
    usage = [r for r in aws if r["ChargeCategory"] == "Usage"]
    data = _run(stack, catalog, tmp_path, f"cur:{FOCUS10}", "2024-09")
    assert data["actuals_format"] == "FOCUS 1.0"
    assert Decimal(data["actuals_total_usd"]) == cents(billed)
    assert Decimal(data["credits_usd"]) == cents(credits) < 0
    assert data["tax_usd"] == "0.00"
    assert data["rows_read"] == len(rows)
    assert data["other_providers_skipped"] == len(rows) - len(aws) > 0
    # The sample tags environments "dev" and "prod": neither names an environment of the config, so all usage is
    # unallocated, with the values seen; no environment claims "Actual $0.00, on track".
    assert Decimal(data["unallocated_usd"]) == cents(sum((Decimal(r["BilledCost"]) for r in usage), Decimal(0)))
    assert set(data["unallocated_tag_values"]) == {_focus_env(r) for r in usage}
    assert {"dev", "prod", ""} <= set(data["unallocated_tag_values"])
    assert all(e["status"] != "on track" for e in data["environments"])


def test_focus_tag_aliases_allocate(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    usage = [r for r in _focus_rows(FOCUS10) if r["ProviderName"] == "AWS" and r["ChargeCategory"] == "Usage"]
    by_env: dict[str, Decimal] = {}
    for r in usage:
        by_env[_focus_env(r)] = by_env.get(_focus_env(r), Decimal(0)) + Decimal(r["BilledCost"])
    aliased = stack.model_copy(update={"tag_values": {"production": ["prod", "prd"], "development": ["DEV"]}})
    data = _run(aliased, catalog, tmp_path, f"cur:{FOCUS10}", "2024-09")
    assert Decimal(_env(data, "production")["actual_to_date"]) == cents(by_env["prod"])
    assert Decimal(_env(data, "development")["actual_to_date"]) == cents(by_env["dev"])
    rest = sum((v for k, v in by_env.items() if k not in ("prod", "dev")), Decimal(0))
    assert Decimal(data["unallocated_usd"]) == cents(rest)
    assert "prod" not in data["unallocated_tag_values"] and "" in data["unallocated_tag_values"]


def test_focus_month_without_rows_says_so(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "stackcost", "report", "--month", "2024-10", "--as-of", "2024-11-01",
                        "--actuals", f"cur:{FOCUS10}", "--format", "md", "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "no billing rows for 2024-10" in r.stderr and "2024-09" in r.stderr
    data = json.loads((tmp_path / "stackcost-report-2024-10.json").read_text())
    assert "no billing rows for 2024-10" in data["actuals_unavailable"]
    assert all(e["actual_to_date"] is None and e["status"] != "on track" for e in data["environments"])
    assert "no billing rows for 2024-10" in (tmp_path / "stackcost-report-2024-10.md").read_text()


# -- legacy CUR: the anonymised export in the FOCUS converter tests (slash headers), and its Athena naming --------

def _legacy_sums(path: Path) -> tuple[Decimal, Decimal, int]:
    con = duckdb.connect()
    q = (f"SELECT sum(CAST(\"lineItem/UnblendedCost\" AS DECIMAL(38,12))) FILTER (WHERE \"lineItem/LineItemType\" "
         f"<> 'Tax'), sum(CAST(\"lineItem/UnblendedCost\" AS DECIMAL(38,12))) FILTER (WHERE "
         f"\"lineItem/LineItemType\" = 'Tax'), count(*) FROM read_csv('{path}', all_varchar=true)")
    total, tax, n = con.execute(q).fetchone()  # type: ignore[misc]
    return Decimal(total), Decimal(tax), int(n)


def test_legacy_cur_real_export(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    total, tax, n = _legacy_sums(LEGACY)
    data = _run(stack, catalog, tmp_path, f"cur:{LEGACY}", "2023-11")
    assert data["actuals_format"] == "CUR legacy" and data["rows_read"] == n
    assert Decimal(data["actuals_total_usd"]) == cents(total) and Decimal(data["tax_usd"]) == cents(tax) > 0
    assert ["Tax", data["tax_usd"]] in data["charges"]
    # No resourceTags/ columns at all: every dollar of usage is unallocated, none is "on track".
    assert data["unallocated_usd"] == data["actuals_total_usd"] and data["unallocated_tag_values"] == [""]


def test_legacy_cur_athena_naming_with_tag_columns(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    """The same rows as Athena's Parquet would name them (line_item_..., one resource_tags_user_<key> column),
    written by the test with a plain rename; production = the AmazonS3 rows by the test's own choice."""
    src = duckdb.connect()
    cols = [c[0] for c in src.execute(f"DESCRIBE SELECT * FROM read_csv('{LEGACY}', all_varchar=true)").fetchall()]

    def snake(c: str) -> str:
        group, _, name = c.partition("/")
        words = "".join("_" + ch.lower() if ch.isupper() else ch for ch in name).lstrip("_")
        return {"lineItem": "line_item", "savingsPlan": "savings_plan"}.get(group, group.lower()) + "_" + words

    select = ", ".join(f'"{c}" AS "{snake(c)}"' for c in cols)
    path = tmp_path / "athena.parquet"
    src.execute(f"COPY (SELECT {select}, CASE WHEN \"lineItem/ProductCode\" = 'AmazonS3' THEN 'Production' ELSE '' "
                f"END AS resource_tags_user_environment FROM read_csv('{LEGACY}', all_varchar=true)) TO '{path}'")
    assert "line_item_unblended_cost" in {snake(c) for c in cols}
    s3_usage = src.execute(f"SELECT sum(CAST(\"lineItem/UnblendedCost\" AS DECIMAL(38,12))) FROM read_csv('{LEGACY}', "
                           "all_varchar=true) WHERE \"lineItem/ProductCode\" = 'AmazonS3' AND "
                           "\"lineItem/LineItemType\" = 'Usage'").fetchone()[0]  # type: ignore[index]
    total, tax, _ = _legacy_sums(LEGACY)
    data = _run(stack, catalog, tmp_path, f"cur:{path}", "2023-11")
    assert data["actuals_format"] == "CUR legacy (Athena naming)"
    assert Decimal(data["actuals_total_usd"]) == cents(total) and Decimal(data["tax_usd"]) == cents(tax)
    assert Decimal(_env(data, "production")["actual_to_date"]) == cents(Decimal(s3_usage))
    assert Decimal(data["unallocated_usd"]) == cents(total - Decimal(s3_usage))


# -- CUR 2.0: the project's Parquet, as CSV gzip (JSON text maps, an all-empty Savings Plans column) ---------------

def _cur2_sum(where: str = "TRUE") -> Decimal:
    q = (f"SELECT sum(CAST(line_item_unblended_cost AS DECIMAL(38,12))) FROM read_parquet('{CUR2}') "
         f"WHERE line_item_line_item_type <> 'Tax' AND {where}")
    return Decimal(duckdb.connect().execute(q).fetchone()[0])  # type: ignore[index]


def test_cur2_csv_gzip_with_json_maps(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    con = duckdb.connect()
    rows = con.execute(f"SELECT * FROM read_parquet('{CUR2}')").fetchall()
    names = [d[0] for d in con.description]  # type: ignore[union-attr]
    path = tmp_path / "export" / "data" / "cur2-00001.csv.gz"
    path.parent.mkdir(parents=True)
    with gzip.open(path, "wt", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([*names, "savings_plan_savings_plan_a_r_n"])
        for r in rows:
            w.writerow([json.dumps(v) if isinstance(v, dict) else ("" if v is None else v) for v in r] + [""])
    data = _run(stack, catalog, tmp_path / "out", f"cur:{tmp_path / 'export'}", "2026-11")
    assert data["actuals_format"] == "CUR 2.0"
    assert Decimal(data["actuals_total_usd"]) == cents(_cur2_sum())
    prod = _cur2_sum("resource_tags['user_environment'] = 'production'")
    assert Decimal(_env(data, "production")["actual_to_date"]) == cents(prod)
    assert data["unallocated_usd"] == "0.00"


def test_cur2_parquet_without_the_tag_is_unallocated_not_on_track(stack: Stack, catalog: Catalog,
                                                                  tmp_path: Path) -> None:
    path = tmp_path / "untagged.parquet"
    duckdb.connect().execute(f"COPY (SELECT * REPLACE (MAP {{}}::MAP(VARCHAR, VARCHAR) AS resource_tags) FROM "
                             f"read_parquet('{CUR2}')) TO '{path}'")
    data = _run(stack, catalog, tmp_path, f"cur:{path}", "2026-11")
    assert Decimal(data["unallocated_usd"]) == cents(_cur2_sum()) == Decimal(data["actuals_total_usd"])
    for e in data["environments"]:
        assert e["status"].startswith("unknown") and e["status"] != "on track"


@pytest.mark.parametrize("key", ["Environment", "user:Environment", "user_environment", "ENVIRONMENT"])
def test_tag_key_spellings(key: str, tmp_path: Path) -> None:
    a = read_files(str(CUR2), date(2026, 11, 1), date(2026, 12, 1), tag_key=key)
    got = Counter(r.environment for r in a.rows)
    assert set(got) == {"production", "staging", "development"}


def test_usage_type_rows_beside_the_estimate(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    data = _run(stack, catalog, tmp_path, f"cur:{CUR2}", "2026-11")
    prod = _env(data, "production")
    q = (f"SELECT line_item_usage_type, sum(line_item_usage_amount), sum(line_item_unblended_cost) "
         f"FROM read_parquet('{CUR2}') WHERE resource_tags['user_environment'] = 'production' AND "
         f"line_item_line_item_type = 'Usage' GROUP BY 1")
    expected = {ut: (q_, c_) for ut, q_, c_ in duckdb.connect().execute(q).fetchall()}
    got: dict[str, list[Decimal]] = {}
    for r in prod["usage_types"]:  # one row per service and usage type: summed here per usage type
        g = got.setdefault(r["usage_type"], [Decimal(0), Decimal(0)])
        g[0] += Decimal(r["actual_quantity"])
        g[1] += Decimal(r["actual_usd"])
        if r["usage_type"]:
            assert r["estimate_component"], r  # the fixture's usage types are the estimate's own
    assert {k for k, v in got.items() if any(v)} == set(expected)
    for ut, (qty, usd) in expected.items():
        assert abs(got[ut][1] - Decimal(str(usd))) < Decimal("0.01")
        # quantities are DOUBLEs in the file, rounded per row in the report (X-Ray: 16.8M traces): within a
        # billionth of the quantity, or a cent's worth of units
        want = Decimal(str(qty))
        assert abs(got[ut][0] - want) <= max(Decimal("0.01"), abs(want) * Decimal("1e-9"))


# -- FOCUS 1.2 written by the test: KRW billing, a correction, tax, two months, 50 tag values --------------------

FOCUS12_COLS = ["ProviderName", "InvoiceId", "BillingCurrency", "ChargePeriodStart", "ChargePeriodEnd",
                "ChargeCategory", "ChargeClass", "BilledCost", "EffectiveCost", "ListCost", "ServiceName",
                "x_ServiceCode", "x_UsageType", "ConsumedQuantity", "ConsumedUnit", "RegionId", "SubAccountId", "Tags"]


def _write_focus12(path: Path) -> list[dict[str, str]]:
    """Amounts are the real BilledCost strings of the FOCUS 1.0 sample's AWS usage rows, re-dated over two months
    and re-tagged over 50 values; one tax row, one correction; currency KRW."""
    src = [r for r in _focus_rows(FOCUS10) if r["ProviderName"] == "AWS" and r["ChargeCategory"] == "Usage"]
    out = []
    for i, r in enumerate(src[:200]):
        month = "2026-10" if i % 4 == 0 else "2026-11"
        out.append({"ProviderName": "AWS", "InvoiceId": "INV-1", "BillingCurrency": "KRW",
                    "ChargePeriodStart": f"{month}-{1 + i % 28:02d}T00:00:00Z",
                    "ChargePeriodEnd": f"{month}-{1 + i % 28:02d}T01:00:00Z", "ChargeCategory": "Usage",
                    "ChargeClass": "Correction" if i == 5 else "", "BilledCost": r["BilledCost"],
                    "EffectiveCost": r["EffectiveCost"], "ListCost": r["ListCost"], "ServiceName": r["ServiceName"],
                    "x_ServiceCode": "", "x_UsageType": "", "ConsumedQuantity": r["ConsumedQuantity"],
                    "ConsumedUnit": r["ConsumedUnit"], "RegionId": r["RegionId"], "SubAccountId": r["SubAccountId"],
                    "Tags": json.dumps({"user:Environment": f"team-{i % 50}"})})
    out.append({**out[1], "ChargeCategory": "Tax", "BilledCost": src[0]["BilledCost"], "Tags": ""})
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, FOCUS12_COLS)
        w.writeheader()
        w.writerows(out)
    return out


def test_focus12_krw_corrections_two_months(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    rows = _write_focus12(tmp_path / "focus12.csv")
    nov = [r for r in rows if r["ChargePeriodStart"].startswith("2026-11")]
    total = sum((Decimal(r["BilledCost"]) for r in nov if r["ChargeCategory"] != "Tax"), Decimal(0))
    corr = sum((Decimal(r["BilledCost"]) for r in nov if r["ChargeClass"] == "Correction"), Decimal(0))
    data = _run(stack, catalog, tmp_path / "out", f"cur:{tmp_path / 'focus12.csv'}", "2026-11")
    assert data["actuals_format"] == "FOCUS 1.2" and data["actuals_currency"] == "KRW"
    # Kept as billed and labelled: no USD figure without a rate, the KRW amounts in `billed`.
    assert data["actuals_total_usd"] is None and "billed in KRW" in data["actuals_unavailable"]
    assert data["billed"]["currency"] == "KRW" and Decimal(data["billed"]["total"]) == cents(total)
    assert data["rows_read"] == len(nov)
    assert len({json.loads(r["Tags"])["user:Environment"] for r in nov if r["Tags"]}) == 50
    # With a rate given, the conversion is explicit: USD = KRW / rate.
    rate = Decimal("1400")
    data = _run(stack, catalog, tmp_path / "out2", f"cur:{tmp_path / 'focus12.csv'}", "2026-11",
                krw=(rate, "2026-11-30"))
    assert Decimal(data["actuals_total_usd"]) == cents(total / rate)
    charges = dict((k, Decimal(v)) for k, v in data["charges"])
    assert charges["Corrections of earlier periods"] == cents(corr / rate)
    assert "Tax" in charges and len(data["unallocated_tag_values"]) == 50


# -- detection, forcing, bad inputs ---------------------------------------------------------------------------------

def test_forced_format_that_does_not_fit_is_one_line() -> None:
    with pytest.raises(ActualsError, match=r"not a CUR 2\.0 export"):
        read_files(str(FOCUS10), date(2024, 9, 1), date(2024, 10, 1), fmt="cur2")
    a = read_files(str(FOCUS10), date(2024, 9, 1), date(2024, 10, 1), fmt="focus")
    assert a.format == "FOCUS 1.0"


def test_glob_and_directory(tmp_path: Path) -> None:
    # A glob over two different exports (FOCUS and legacy CUR) is refused rather than half read.
    with pytest.raises(ActualsError):
        read_files(str(REAL / "*" / "*.csv"), date(2024, 9, 1), date(2024, 10, 1))
    b = read_files(str(REAL / "focus-*" / "*.csv"), date(2024, 9, 1), date(2024, 10, 1))
    c = read_files(str(REAL / "focus-1.0-sample"), date(2024, 9, 1), date(2024, 10, 1))
    assert b.rows == c.rows and b.rows


def _bad(tmp_path: Path, name: str, text: bytes) -> subprocess.CompletedProcess[str]:
    path = tmp_path / name
    path.write_bytes(text)
    return subprocess.run([sys.executable, "-m", "stackcost", "report", "--month", "2024-09", "--as-of",
                           "2024-10-01", "--actuals", f"cur:{path}", "--format", "md", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("case", ["nan", "infinity", "short", "latin1", "huge", "baddate"])
def test_bad_export_rows_are_one_error_line(case: str, tmp_path: Path) -> None:
    lines = FOCUS10.read_bytes().splitlines(keepends=True)
    head, row = lines[0], lines[1]
    hdr = next(csv.reader([head.decode()]))
    cells = next(csv.reader([row.decode()]))
    billed = hdr.index("BilledCost")
    if case in ("nan", "infinity"):
        cells[billed] = "NaN" if case == "nan" else "Infinity"
    elif case == "short":
        cells = cells[:5]
    elif case == "huge":
        cells[hdr.index("ChargeDescription")] = "x" * 3_000_000
    elif case == "baddate":
        cells[hdr.index("ChargePeriodStart")] = "2024-13-45 00:00:00"
    buf = []
    w = csv.writer(_Sink(buf), lineterminator="\n")
    w.writerow(cells)
    body = "".join(buf).encode()
    if case == "latin1":
        body = row.replace(b"Requests", "Requ\xeates".encode("latin-1"))
    r = _bad(tmp_path, f"{case}.csv", head + body + b"".join(lines[2:10]))
    assert r.returncode == 2, (r.returncode, r.stderr)
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), r.stderr
    assert not (tmp_path / "o" / "stackcost-report-2024-09.json").exists()


class _Sink:
    def __init__(self, buf: list[str]) -> None:
        self.buf = buf

    def write(self, s: str) -> int:
        self.buf.append(s)
        return len(s)


def test_billing_tables_show_unallocated_and_charges(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    from stackcost.report.billing.present import billing_tables, unallocated_row
    from stackcost.report.model import Options, build
    from stackcost.report.run import get_actuals

    opts = Options(month="2023-11", as_of=date(2023, 12, 1))
    envs = list(stack.environments)
    report = build(stack, catalog, envs, get_actuals(f"cur:{LEGACY}", opts, envs, tmp_path), opts)
    total, tax, n = _legacy_sums(LEGACY)
    tables = {t.title: t for t in billing_tables(report)}
    src = tables["Actual spend source: CUR legacy"]
    assert ["Rows read for the month", n] in src.rows and ["Tax", tax] in [[k, cents(v)] for k, v in src.rows[6:]]
    unalloc = next(t for t in tables.values() if t.title.startswith("Unallocated spend"))
    assert cents(unalloc.rows[-1][1]) == cents(total) and "(untagged)" in unalloc.note
    row = unallocated_row(report)
    assert row is not None and cents(row[4]) == cents(total)


def test_cur2_commitments_credits_refunds_tax_lines(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    """A CUR 2.0 month with a Savings Plan (covered usage, negation, recurring fee), an RI upfront fee, a credit,
    a refund and tax. Amounts are products of published rates: Fargate x86 vCPU-hour on demand 0.04048 and its
    1-year No Upfront Compute Savings Plan rate 0.032384, All Upfront 0.0295504 (pricing_data, AWSComputeSavingsPlan
    reference rows); tax 10 % (Korean VAT)."""
    od, sp, au = Decimal("0.04048"), Decimal("0.032384"), Decimal("0.0295504")
    upfront = au * 8760  # one vCPU for a year, paid up front
    rows = [  # type, usage amount, unblended, sp effective, commitment to date, used commitment, RI ARN
        ("SavingsPlanCoveredUsage", 100, 100 * od, 100 * sp, 0, 0, ""),
        ("SavingsPlanNegation", 0, -100 * od, 0, 0, 0, ""),
        ("SavingsPlanRecurringFee", 0, 110 * sp, 0, 110 * sp, 100 * sp, ""),
        ("Fee", 0, upfront, 0, 0, 0, "arn:aws:ec2:ap-northeast-2:111122223333:reserved-instances/ri-1"),
        ("Credit", 0, -10 * od, 0, 0, 0, ""),
        ("Refund", 0, -5 * sp, 0, 0, 0, ""),
    ]
    pretax = sum((Decimal(r[2]) for r in rows), Decimal(0))
    rows.append(("Tax", 0, pretax * Decimal("0.10"), 0, 0, 0, ""))
    values = ", ".join(
        f"(TIMESTAMP '2026-11-0{i % 9 + 1} 00:00:00', '{t}', 'AmazonECS', 'APN2-Fargate-vCPU-Hours:perCPU', {q}, "
        f"{u}::DECIMAL(38,12), {e}::DECIMAL(38,12), {c}::DECIMAL(38,12), {used}::DECIMAL(38,12), '{arn}', "
        f"MAP {{'user_Environment': 'production'}})" for i, (t, q, u, e, c, used, arn) in enumerate(rows))
    path = tmp_path / "commitments.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT * FROM (VALUES {values}) v(line_item_usage_start_date, line_item_line_item_type, "
        f"line_item_product_code, line_item_usage_type, line_item_usage_amount, line_item_unblended_cost, "
        f"savings_plan_savings_plan_effective_cost, savings_plan_total_commitment_to_date, "
        f"savings_plan_used_commitment, reservation_reservation_a_r_n, resource_tags)) TO '{path}'")
    data = _run(stack, catalog, tmp_path, f"cur:{path}", "2026-11")
    charges = dict((k, Decimal(v)) for k, v in data["charges"])
    # By hand: unblended without tax = covered − negation (cancel) + recurring fee + upfront + credit + refund.
    assert Decimal(data["actuals_total_usd"]) == cents(110 * sp + upfront - 10 * od - 5 * sp)
    # Amortized: covered usage at the SP rate, the unused commitment (10 × sp), no negation, no upfront fee.
    assert Decimal(data["amortized_total_usd"]) == cents(100 * sp + 10 * sp - 10 * od - 5 * sp)
    assert charges["RI / Savings Plans purchases and fees"] == cents(110 * sp + upfront)
    assert charges["Credits"] == cents(-10 * od) == Decimal(data["credits_usd"])
    assert charges["Refunds"] == cents(-5 * sp)
    assert charges["Tax"] == cents(pretax * Decimal("0.10")) == Decimal(data["tax_usd"])
    # The environment's Fargate line is its usage: covered usage and its negation cancel out in unblended.
    prod = _env(data, "production")
    fargate = next(s for s in prod["services"] if s["service"] == "ECS Fargate")
    assert Decimal(fargate["actual_to_date"]) == cents(100 * od - 100 * od)


@pytest.mark.parametrize("value", ["'NaN'::DOUBLE", "'Infinity'::DOUBLE", "1e300"])
def test_parquet_non_finite_or_huge_amount_is_one_line(value: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    duckdb.connect().execute(f"COPY (SELECT * REPLACE (CASE WHEN line_item_line_item_type = 'Tax' THEN {value} "
                             f"ELSE line_item_unblended_cost END AS line_item_unblended_cost) "
                             f"FROM read_parquet('{CUR2}')) TO '{path}'")
    r = subprocess.run([sys.executable, "-m", "stackcost", "report", "--month", "2026-11", "--as-of", "2026-11-27",
                        "--actuals", f"cur:{path}", "--format", "md", "--out", str(tmp_path / "o")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert r.stderr.startswith("error: ") and "Could not" in r.stderr
    assert not (tmp_path / "o" / "stackcost-report-2026-11.json").exists()


def test_focus11_variant_and_cli_options(tmp_path: Path) -> None:
    """The real FOCUS 1.0 rows with FOCUS 1.1's new ServiceSubcategory column added (empty) read as FOCUS 1.1;
    forced with --actuals-format and an aliased, prefixed --tag-key through the CLI."""
    rows = _focus_rows(FOCUS10)
    path = tmp_path / "focus11.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, [*rows[0], "ServiceSubcategory"])
        w.writeheader()
        w.writerows({**r, "ServiceSubcategory": ""} for r in rows)
    cfg = tmp_path / "cost.yaml"
    import yaml

    from stackcost.sizing.load import preset_text

    data = yaml.safe_load(preset_text())
    data["tag_values"] = {"production": ["prod"]}
    cfg.write_text(yaml.safe_dump(data))
    r = subprocess.run([sys.executable, "-m", "stackcost", "report", "--month", "2024-09", "--as-of", "2024-10-01",
                        "--actuals", f"cur:{path}", "--actuals-format", "focus", "--tag-key", "user:environment",
                        "--config", str(cfg), "--format", "md", "--out", str(tmp_path / "o")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads((tmp_path / "o" / "stackcost-report-2024-09.json").read_text())
    assert out["actuals_format"] == "FOCUS 1.1"
    prod = sum((Decimal(x["BilledCost"]) for x in rows if x["ProviderName"] == "AWS"
                and x["ChargeCategory"] == "Usage" and _focus_env(x) == "prod"), Decimal(0))
    assert Decimal(_env(out, "production")["actual_to_date"]) == cents(prod)
    assert "warning:" in r.stderr and "'dev'" in r.stderr  # the unallocated values, said on stderr
