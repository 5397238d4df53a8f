"""Actual spend from an Athena table over the billing export (`--actuals athena:DATABASE.TABLE`), for exports that
outgrow one machine: the aggregation SQL the local path runs in DuckDB runs in Athena (Trino dialect), and only the
month's aggregate comes back, page by page. Two queries: `SELECT * ... LIMIT 0` for the columns (the format is
detected from them as for files), then the aggregation. The query ids and the data scanned are reported."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from stackcost.report.actuals import Actuals, ActualsError
from stackcost.report.billing.formats import LABELS, Columns, aggregate_sql, detect, ident, label_for, select_sql
from stackcost.report.billing.read import to_actuals

NAME = re.compile(r"^[A-Za-z0-9_]+$")
TIMEOUT_S = 600.0


def _client(client: Any, profile: str | None) -> Any:
    if client is not None and hasattr(client, "start_query_execution"):
        return client
    import boto3

    return boto3.Session(profile_name=profile).client("athena")


class Runner:
    """Start a query, poll it to the end (bounded), page through its results."""

    def __init__(self, athena: Any, database: str, workgroup: str | None, output: str | None,
                 sleep: Callable[[float], None] = time.sleep, timeout_s: float = TIMEOUT_S) -> None:
        self.athena, self.database, self.workgroup, self.output = athena, database, workgroup, output
        self.sleep, self.timeout_s = sleep, timeout_s
        self.notes: list[str] = []

    def run(self, sql: str) -> tuple[list[dict[str, Any]], list[list[str | None]]]:
        kw: dict[str, Any] = {"QueryString": sql, "QueryExecutionContext": {"Database": self.database}}
        if self.workgroup:
            kw["WorkGroup"] = self.workgroup
        if self.output:
            kw["ResultConfiguration"] = {"OutputLocation": self.output}
        qid = self.athena.start_query_execution(**kw)["QueryExecutionId"]
        waited, delay = 0.0, 0.25
        while True:
            ex = self.athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
            state = ex["Status"]["State"]
            if state == "SUCCEEDED":
                break
            if state in ("FAILED", "CANCELLED"):
                why = ex["Status"].get("StateChangeReason", state)
                raise ActualsError(f"Athena query {qid} {state.lower()}: {why.splitlines()[0] if why else state}")
            if waited >= self.timeout_s:
                raise ActualsError(f"Athena query {qid} still {state.lower()} after {self.timeout_s:.0f} s")
            self.sleep(delay)
            waited += delay
            delay = min(delay * 2, 5.0)
        scanned = int(ex.get("Statistics", {}).get("DataScannedInBytes", 0))
        self.notes.append(f"Athena query {qid}: {scanned / 1e9:.3f} GB scanned")
        meta: list[dict[str, Any]] = []
        rows: list[list[str | None]] = []
        token: str | None = None
        first = True
        while True:
            kw2: dict[str, Any] = {"QueryExecutionId": qid, "MaxResults": 1000}
            if token:
                kw2["NextToken"] = token
            page = self.athena.get_query_results(**kw2)
            rs = page.get("ResultSet", {})
            if first:
                meta = rs.get("ResultSetMetadata", {}).get("ColumnInfo", [])
            data = [[d.get("VarCharValue") for d in r.get("Data", [])] for r in rs.get("Rows", [])]
            # The first row of the first page of a SELECT repeats the column names.
            if first and data and meta and data[0] == [c.get("Name") for c in meta]:
                data = data[1:]
            rows += data
            first = False
            token = page.get("NextToken")
            if not token:
                return meta, rows


def read(table: str, start: date, end: date, *, tag_key: str = "Environment", fmt: str = "auto", client: Any = None,
         profile: str | None = None, workgroup: str | None = None, output: str | None = None,
         runner: Runner | None = None) -> Actuals:
    database, _, name = table.partition(".")
    if not (NAME.match(database) and NAME.match(name)):
        raise ActualsError(f"athena:{table}: expected athena:DATABASE.TABLE (letters, digits, _)")
    if output is not None and not output.startswith("s3://"):
        raise ActualsError(f"--athena-output {output!r}: expected s3://BUCKET/PREFIX/")
    try:
        r = runner or Runner(_client(client, profile), database, workgroup, output)
        source = f"{ident(database)}.{ident(name)}"
        meta, _ = r.run(f"SELECT * FROM {source} LIMIT 0")
        cols = Columns({c["Name"]: str(c.get("Type", "varchar")) for c in meta})
        if not cols.types:
            raise ActualsError(f"athena:{table}: the table has no columns (or Athena returned none)")
        if fmt == "auto":
            fmt, label = detect(cols)
        else:
            if fmt not in LABELS or fmt == "csv":
                raise ActualsError(f"--actuals-format {fmt!r}: Athena reads focus, cur2 or cur-legacy")
            label = label_for(fmt, cols)
        if fmt == "csv":
            raise ActualsError(f"athena:{table}: the simple CSV is not an Athena table")
        _, rows = r.run(aggregate_sql(select_sql(fmt, cols, source, tag_key, dialect="trino"), start, end))
    except ActualsError:
        raise
    except Exception as exc:  # botocore errors, credentials: one line
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ActualsError(f"athena:{table}: {first}") from None
    typed = [_typed(row, table) for row in rows]
    result = to_actuals(typed, source=f"athena:{table}", label=label, month_start=start)
    result.notes = r.notes
    return result


def _typed(row: list[str | None], table: str) -> tuple[Any, ...]:
    """Athena returns text: day, 9 text dimensions, quantity, unblended, amortized (decimal text), n."""
    if len(row) != 14:
        raise ActualsError(f"athena:{table}: a result row has {len(row)} fields, expected 14")
    try:
        day = date.fromisoformat(str(row[0])[:10])
        money = [Decimal(v) if v not in (None, "") else Decimal(0) for v in row[10:13]]
        if not all(m.is_finite() for m in money):
            raise ValueError("not finite")
        n = int(row[13] or 0)
    except (ValueError, ArithmeticError):
        raise ActualsError(f"athena:{table}: a result row not understood ({row[0]!r}, {row[10:14]!r})") from None
    return (day, *(v or "" for v in row[1:10]), *money, n)
