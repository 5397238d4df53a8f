"""Billing exports in S3 and Athena, against a moto server on 127.0.0.1 (no AWS): real Parquet objects and
manifests for two months in S3; Athena with result rows given to moto (it runs no SQL: see the README for what
that cannot prove), plus botocore's Stubber for pagination and a failed query."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest
from botocore.stub import Stubber

from stackcost.catalog import Catalog
from stackcost.estimate import cents
from stackcost.report.actuals import ActualsError
from stackcost.report.billing import athena
from stackcost.report.run import make_report
from stackcost.sizing.model import Stack
from tests import cur_fixture

CUR2 = cur_fixture.PATH
LEGACY = Path(__file__).parent / "fixtures" / "billing-real" / "cur-legacy-anonymous" / \
    "sample-anonymous-aws-export-excerpt.csv"


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


def _client(url: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test")


class Counting:
    """The S3 client, counting downloads (to see the ETag cache work)."""

    def __init__(self, s3: Any) -> None:
        self.s3, self.downloads = s3, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.s3, name)

    def download_fileobj(self, *a: Any, **kw: Any) -> Any:
        self.downloads += 1
        return self.s3.download_fileobj(*a, **kw)


def _report(stack: Stack, catalog: Catalog, out: Path, actuals: str, month: str, clients: Any) -> dict[str, Any]:
    y, m = map(int, month.split("-"))
    make_report(stack, catalog, month=month, env="all", actuals=actuals, fmt="md", out=out,
                as_of=date(y + (m == 12), m % 12 + 1, 1), clients=clients)
    data: dict[str, Any] = json.loads((out / f"stackcost-report-{month}.json").read_text())
    return data


def _sum(sql_from: str, where: str = "TRUE") -> Decimal:
    return Decimal(duckdb.connect().execute(
        f"SELECT sum(CAST(line_item_unblended_cost AS DECIMAL(38,12))) FROM {sql_from} "
        f"WHERE line_item_line_item_type <> 'Tax' AND {where}").fetchone()[0])  # type: ignore[index]


def test_s3_data_exports_manifest_two_months_etag_cache(stack: Stack, catalog: Catalog, moto_url: str,
                                                       tmp_path: Path) -> None:
    s3 = _client(moto_url, "s3")
    s3.create_bucket(Bucket="billing")
    con = duckdb.connect()
    # November: the fixture split in two data files (by environment); October: the same rows a month earlier.
    files = {
        "2026-11": [(f"nov-{i}.parquet", f"SELECT * FROM read_parquet('{CUR2}') WHERE {w}")
                    for i, w in enumerate(["resource_tags['user_environment'] = 'production'",
                                           "resource_tags['user_environment'] <> 'production'"])],
        "2026-10": [("oct-0.parquet", f"SELECT * REPLACE (line_item_usage_start_date - INTERVAL 1 MONTH AS "
                                      f"line_item_usage_start_date) FROM read_parquet('{CUR2}')")],
    }
    for month, parts in files.items():
        urls = []
        for name, sql in parts:
            local = tmp_path / name
            con.execute(f"COPY ({sql}) TO '{local}' (FORMAT parquet)")
            key = f"exports/hospital/data/BILLING_PERIOD={month}/{name}"
            s3.upload_file(str(local), "billing", key)
            urls.append(f"s3://billing/{key}")
        s3.put_object(Bucket="billing", Key=f"exports/hospital/metadata/BILLING_PERIOD={month}/hospital-Manifest.json",
                      Body=json.dumps({"dataFiles": urls}).encode())
    client = Counting(s3)
    out = tmp_path / "out"
    data = _report(stack, catalog, out, "s3://billing/exports/hospital/", "2026-11", client)
    assert data["actuals_format"] == "CUR 2.0"
    assert Decimal(data["actuals_total_usd"]) == cents(_sum(f"read_parquet('{CUR2}')"))
    cached = sorted(p.name for p in (out / ".cache" / "s3").rglob("*.parquet"))
    assert cached == ["nov-0.parquet", "nov-1.parquet"] and client.downloads == 2  # only the month's files
    _report(stack, catalog, out, "s3://billing/exports/hospital/", "2026-11", client)
    assert client.downloads == 2  # same ETags: nothing downloaded again
    october = _report(stack, catalog, out, "cur:s3://billing/exports/hospital/", "2026-10", client)
    assert Decimal(october["actuals_total_usd"]) == cents(_sum(f"read_parquet('{tmp_path / 'oct-0.parquet'}')"))
    assert client.downloads == 3
    # A re-delivered file (new content, new ETag) is fetched again.
    con.execute(f"COPY (SELECT * FROM read_parquet('{tmp_path / 'nov-0.parquet'}') LIMIT 10) TO "
                f"'{tmp_path / 'nov-0b.parquet'}' (FORMAT parquet)")
    s3.upload_file(str(tmp_path / "nov-0b.parquet"), "billing",
                   "exports/hospital/data/BILLING_PERIOD=2026-11/nov-0.parquet")
    again = _report(stack, catalog, out, "s3://billing/exports/hospital/", "2026-11", client)
    assert client.downloads == 4
    expected = _sum(f"read_parquet(['{tmp_path / 'nov-0b.parquet'}', '{tmp_path / 'nov-1.parquet'}'])")
    assert Decimal(again["actuals_total_usd"]) == cents(expected)
    # A month the export does not have: said, not $0.
    december = _report(stack, catalog, out, "s3://billing/exports/hospital/", "2026-12", client)
    assert "no billing rows for 2026-12" in december["actuals_unavailable"]
    assert all(e["actual_to_date"] is None for e in december["environments"])


def test_s3_legacy_cur_report_keys(stack: Stack, catalog: Catalog, moto_url: str, tmp_path: Path) -> None:
    import gzip

    s3 = _client(moto_url, "s3")
    s3.create_bucket(Bucket="legacy")
    key = "cur/hosp/20231101-20231201/abc-assembly/hosp-00001.csv.gz"
    s3.put_object(Bucket="legacy", Key=key, Body=gzip.compress(LEGACY.read_bytes()))
    s3.put_object(Bucket="legacy", Key="cur/hosp/20231101-20231201/hosp-Manifest.json",
                  Body=json.dumps({"bucket": "legacy", "reportKeys": [key]}).encode())
    data = _report(stack, catalog, tmp_path, "s3://legacy/cur/", "2023-11", s3)
    expected = Decimal(duckdb.connect().execute(
        f"SELECT sum(CAST(\"lineItem/UnblendedCost\" AS DECIMAL(38,12))) FROM read_csv('{LEGACY}', all_varchar=true) "
        "WHERE \"lineItem/LineItemType\" <> 'Tax'").fetchone()[0])  # type: ignore[index]
    assert data["actuals_format"] == "CUR legacy" and Decimal(data["actuals_total_usd"]) == cents(expected)


def test_s3_errors_are_one_line(moto_url: str, tmp_path: Path) -> None:
    s3 = _client(moto_url, "s3")
    from stackcost.report.billing import s3 as s3mod

    with pytest.raises(ActualsError, match=r"s3://no-such-bucket/x/: .*(NoSuchBucket|does not exist)"):
        s3mod.fetch("s3://no-such-bucket/x/", date(2026, 11, 1), date(2026, 12, 1), tmp_path, client=s3)
    s3.create_bucket(Bucket="badmanifest")
    s3.put_object(Bucket="badmanifest", Key="e/metadata/BILLING_PERIOD=2026-11/e-Manifest.json", Body=b"{not json")
    with pytest.raises(ActualsError, match="not a JSON manifest"):
        s3mod.fetch("s3://badmanifest/e/", date(2026, 11, 1), date(2026, 12, 1), tmp_path, client=s3)


# -- Athena ----------------------------------------------------------------------------------------------------------

def _post(url: str, path: str, body: dict[str, Any]) -> None:
    req = urllib.request.Request(f"{url}{path}", method="POST", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=10)


def _athena_rows() -> tuple[list[dict[str, Any]], list[list[str]]]:
    """What Athena would return for the fixture: its columns, and the month's aggregate computed here with SQL
    written for the test (not the reader's)."""
    con = duckdb.connect()
    cols = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{CUR2}')").fetchall()
    athena_type = {"VARCHAR": "varchar", "DOUBLE": "double", "TIMESTAMP": "timestamp"}
    info = [{"Name": c[0], "Type": athena_type.get(c[1], "map")} for c in cols]
    rows = con.execute(
        f"SELECT CAST(CAST(line_item_usage_start_date AS DATE) AS VARCHAR), "
        f"COALESCE(resource_tags['user_environment'], ''), product_servicecode, line_item_usage_type, '', "
        f"CASE WHEN line_item_line_item_type = 'Tax' THEN 'tax' ELSE 'usage' END, product_region_code, '', 'USD', "
        f"'AWS', CAST(sum(line_item_usage_amount) AS VARCHAR), CAST(sum(line_item_unblended_cost) AS VARCHAR), "
        f"CAST(sum(line_item_unblended_cost) AS VARCHAR), CAST(count(*) AS VARCHAR) "
        f"FROM read_parquet('{CUR2}') GROUP BY ALL").fetchall()
    return info, [[str(v) for v in r] for r in rows]


def test_athena_request_polling_and_mapping(stack: Stack, catalog: Catalog, moto_url: str, tmp_path: Path) -> None:
    info, rows = _athena_rows()
    names = [c["Name"] for c in info]
    agg_names = ["day", "tag", "service", "usage_type", "unit", "kind", "region", "account", "currency", "provider",
                 "quantity", "unblended", "amortized", "n"]

    def result(header: list[str], data: list[list[str]], meta: list[dict[str, Any]]) -> dict[str, Any]:
        return {"rows": [{"Data": [{"VarCharValue": v} for v in r]} for r in [header, *data]], "column_info": meta}

    _post(moto_url, "/moto-api/static/athena/query-results", {"results": [
        result(names, [], info), result(agg_names, rows, [{"Name": n, "Type": "varchar"} for n in agg_names])]})
    _post(moto_url, "/moto-api/state-manager/set-transition",
          {"model_name": "athena::execution", "transition": {"progression": "manual", "times": 2}})
    client = _client(moto_url, "athena")
    client.create_work_group(Name="finops", Configuration={})
    sleeps: list[float] = []
    runner = athena.Runner(client, "cur", "finops", "s3://results/athena/", sleep=sleeps.append)
    try:
        got = athena.read("cur.cur2", date(2026, 11, 1), date(2026, 12, 1), runner=runner)
    finally:
        _post(moto_url, "/moto-api/state-manager/unset-transition", {"model_name": "athena::execution"})
    # Both queries polled through QUEUED and RUNNING, waiting longer each time (the back-off restarts per query).
    assert got.format == "CUR 2.0" and len(sleeps) >= 4 and sleeps[1] == 2 * sleeps[0]
    total = sum((r.usd for r in got.rows if r.kind != "tax"), Decimal(0))
    assert cents(total) == cents(_sum(f"read_parquet('{CUR2}')"))
    assert {r.environment for r in got.rows} == {"production", "staging", "development"}
    n = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{CUR2}')").fetchone()[0]  # type: ignore[index]
    assert got.rows_read == n
    assert len(got.notes) == 2 and all("GB scanned" in n for n in got.notes)
    # The request: database, workgroup, output location, the month's date literals, the Trino map functions.
    ids = client.list_query_executions(WorkGroup="finops")["QueryExecutionIds"]
    queries = [client.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]
    agg = next(q for q in queries if "GROUP BY" in q["Query"])
    assert agg["QueryExecutionContext"]["Database"] == "cur"
    assert agg["ResultConfiguration"]["OutputLocation"].startswith("s3://results/athena/")  # + "<id>.csv"
    assert "DATE '2026-11-01'" in agg["Query"] and "DATE '2026-12-01'" in agg["Query"]
    assert "map_filter(\"resource_tags\"" in agg["Query"] and '"cur"."cur2"' in agg["Query"]


def test_athena_pagination_and_failure_with_stubber() -> None:
    client = boto3.client("athena", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    ok = {"QueryExecution": {"QueryExecutionId": "q1", "Status": {"State": "SUCCEEDED"},
                             "Statistics": {"DataScannedInBytes": 2_500_000_000}}}

    def page(rows: list[list[str]], token: str | None) -> dict[str, Any]:
        r: dict[str, Any] = {"ResultSet": {"Rows": [{"Data": [{"VarCharValue": v} for v in row]} for row in rows],
                                           "ResultSetMetadata": {"ColumnInfo": [{"Name": "a", "Type": "varchar"},
                                                                                {"Name": "b", "Type": "varchar"}]}}}
        if token:
            r["NextToken"] = token
        return r

    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"})
    stub.add_response("get_query_execution", ok, {"QueryExecutionId": "q1"})
    stub.add_response("get_query_results", page([["a", "b"], ["1", "2"]], "t1"),
                      {"QueryExecutionId": "q1", "MaxResults": 1000})
    stub.add_response("get_query_results", page([["a", "b"], ["3", "4"]], None),
                      {"QueryExecutionId": "q1", "MaxResults": 1000, "NextToken": "t1"})
    failed = {"QueryExecution": {"QueryExecutionId": "q2", "Status": {
        "State": "FAILED", "StateChangeReason": "TABLE_NOT_FOUND: line 1:15: Table 'cur.nope' does not exist\nmore"}}}
    stub.add_response("start_query_execution", {"QueryExecutionId": "q2"})
    stub.add_response("get_query_execution", failed, {"QueryExecutionId": "q2"})
    with stub:
        r = athena.Runner(client, "cur", None, None, sleep=lambda s: None)
        _, rows = r.run("SELECT a, b FROM t")
        # Only the first page's first row is the header; a later page's identical row is data.
        assert rows == [["1", "2"], ["a", "b"], ["3", "4"]]
        assert r.notes == ["Athena query q1: 2.500 GB scanned"]
        with pytest.raises(ActualsError, match=r"^Athena query q2 failed: TABLE_NOT_FOUND.*does not exist$"):
            r.run("SELECT * FROM nope")
    with pytest.raises(ActualsError, match=r"expected athena:DATABASE\.TABLE"):
        athena.read("cur; DROP TABLE x", date(2026, 11, 1), date(2026, 12, 1), runner=r)


def test_athena_sql_is_trino_and_sums_like_duckdb() -> None:
    """What moto cannot check, in part: the Athena SQL parses with an independent Trino grammar (sqlglot), and,
    translated to DuckDB (Trino's map_filter rewritten here as DuckDB list functions), it sums the fixture like the
    test's own SQL. It still does not prove Athena itself accepts it."""
    import re

    sqlglot = pytest.importorskip("sqlglot")
    from stackcost.report.billing.formats import Columns, aggregate_sql, select_sql

    con = duckdb.connect()
    cols = Columns({r[0]: str(r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{CUR2}')").fetchall()})
    sql = aggregate_sql(select_sql("cur2", cols, '"cur"."cur2"', "Environment", dialect="trino"),
                        date(2026, 11, 1), date(2026, 12, 1))
    duck = sqlglot.parse_one(sql, read="trino").sql(dialect="duckdb")
    duck = re.sub(r"MAP_VALUES\(MAP_FILTER\((\"\w+\"), LAMBDA k, v : (.+?)\)\)\[1\]",
                  lambda m: f"list_filter(map_entries({m[1]}), LAMBDA e : {m[2].replace('LOWER(k)', 'LOWER(e.key)')})"
                            "[1].value", duck)
    rows = con.execute(duck.replace('"cur"."cur2"', f"read_parquet('{CUR2}')")).fetchall()
    by_env: dict[str, Decimal] = {}
    for r in rows:
        if r[5] != "tax":
            by_env[r[1]] = by_env.get(r[1], Decimal(0)) + Decimal(str(r[11]))
    for env in ("production", "staging", "development"):
        where = f"resource_tags['user_environment'] = '{env}'"
        assert cents(by_env[env]) == cents(_sum(f"read_parquet('{CUR2}')", where))
