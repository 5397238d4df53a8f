"""Read a month of actual spend from billing export files (a file, a directory or a glob) with DuckDB.

The files are queried where they lie, never loaded whole into memory: CSV columns are read as text and cast
explicitly (no type inference to trip over an all-empty column or JSON text), Parquet keeps its own types."""

from __future__ import annotations

import glob as globmod
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from stackcost.report import mapping
from stackcost.report.actuals import ActualRow, Actuals, ActualsError, read_simple_csv
from stackcost.report.billing.formats import LABELS, Columns, aggregate_sql, detect, label_for, select_sql

CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.gzip")
AWS_PROVIDERS = {"aws", "amazon web services", "amazon"}


def resolve(spec: str) -> list[Path]:
    """The export files a PATH names: one file, every export file under a directory, or a glob's matches."""
    if any(ch in spec for ch in "*?["):
        files = sorted(Path(p) for p in globmod.glob(spec, recursive=True) if Path(p).is_file())
        if not files:
            raise ActualsError(f"{spec}: no file matches")
        return files
    path = Path(spec)
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _kind(p))
        if not files:
            raise ActualsError(f"{path}: no .parquet, .csv or .csv.gz billing files")
        return files
    raise ActualsError(f"{path}: no such file or directory")


def _kind(p: Path) -> str:
    name = p.name.lower()
    if name.endswith(".parquet") or name.endswith(".snappy.parquet"):
        return "parquet"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    return ""


def _relation(files: list[Path]) -> str:
    kinds = {_kind(f) for f in files}
    if "" in kinds:
        bad = next(f for f in files if not _kind(f))
        raise ActualsError(f"{bad}: not a .parquet, .csv or .csv.gz file")
    if len(kinds) > 1:
        raise ActualsError(f"{files[0].parent}: mixes Parquet and CSV files")
    names = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    if kinds == {"parquet"}:
        return f"read_parquet([{names}], union_by_name=true)"
    # Everything as text: the SQL casts each column it uses. 'NULL' is how the FOCUS sample data writes nulls.
    return (f"read_csv([{names}], header=true, all_varchar=true, union_by_name=true, nullstr=['', 'NULL'], "
            f"encoding='utf-8', strict_mode=true)")


def _columns(con: Any, relation: str) -> Columns:
    rows = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    return Columns({r[0]: str(r[1]) for r in rows})


def read_files(spec: str, month_start: date, month_end: date, *, fmt: str = "auto",
               tag_key: str = "Environment", files: list[Path] | None = None, source: str | None = None,
               hourly: bool = False, group_tag: str | None = None) -> Actuals:
    """Actual spend of [month_start, month_end) from the export files `spec` names (or `files`, fetched)."""
    import duckdb

    files = files if files is not None else resolve(spec)
    source = source or spec
    relation = _relation(files)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        try:
            cols = _columns(con, relation)
        except duckdb.Error as exc:
            raise ActualsError(f"{source}: cannot read ({_first_line(exc)})") from None
        if len(files) > 1:
            _same_layout(con, files, source)
        if fmt == "auto":
            try:
                fmt, label = detect(cols)
            except ActualsError as exc:
                raise ActualsError(f"{source}: {exc}") from None
        else:
            if fmt not in LABELS:
                raise ActualsError(f"--actuals-format {fmt!r}: expected auto, {', '.join(LABELS)}")
            label = label_for(fmt, cols)
        if fmt == "csv":
            if len(files) != 1:
                raise ActualsError(f"{source}: the simple CSV format reads one file")
            return read_simple_csv(files[0], month_start, month_end)
        try:
            inner = select_sql(fmt, cols, relation, tag_key, hourly=hourly, group=group_tag)
        except ActualsError as exc:
            raise ActualsError(f"{source}: not a {label} export ({exc})") from None
        try:
            rows = con.execute(aggregate_sql(inner, month_start, month_end, group=bool(group_tag))).fetchall()
        except duckdb.Error as exc:
            raise ActualsError(f"{source}: not a {label} export this tool can read ({_first_line(exc)})") from None
        months: list[str] = []
        if not rows:
            try:
                months = [m for (m,) in con.execute(
                    f"SELECT DISTINCT strftime(day, '%Y-%m') FROM ({inner}) "
                    "ORDER BY 1").fetchall()]
            except duckdb.Error:
                months = []
    finally:
        con.close()
    return to_actuals(rows, source=source, label=label, month_start=month_start, months=months)


def _same_layout(con: Any, files: list[Path], source: str) -> None:
    """Files read together must be one layout: read by name, a FOCUS file and a CUR file would union into columns
    where each one's rows lack the other's dates, and be dropped without a word."""
    import duckdb

    seen: dict[str, Path] = {}
    for f in files if len(files) <= 200 else [files[0], files[-1]]:
        try:
            label = detect(_columns(con, _relation([f])))[1]
        except (ActualsError, duckdb.Error):
            label = "unknown"
        seen.setdefault(label, f)
    if len(seen) > 1:
        raise ActualsError(f"{source}: mixes layouts ({'; '.join(f'{k}: {v.name}' for k, v in seen.items())})")


def _first_line(exc: BaseException) -> str:
    """DuckDB's error, shortened to one line: its headline and the sentence that says why (e.g. not UTF-8)."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip() and not ln.startswith(" ")
             and not ln.startswith(("Original Line", "Possible Solution", "LINE "))]
    return "; ".join(lines[:2])[:300] or type(exc).__name__


def to_actuals(rows: list[tuple[Any, ...]], *, source: str, label: str, month_start: date,
               months: list[str] | None = None) -> Actuals:
    """Aggregated internal rows (day, tag, service, usage_type, unit, kind, region, account, currency, provider,
    quantity, unblended, amortized, n) -> Actuals. Non-AWS rows of a multi-cloud file are counted, not kept."""
    out: list[ActualRow] = []
    skipped = read = 0
    currencies: set[str] = set()
    for row in rows:
        # 14 columns, or 15 with the group tag (calibration) after `provider`
        day, tag, service, usage_type, unit, kind, region, account, currency, provider = row[:10]
        grp = row[10] if len(row) == 15 else ""
        qty, unbl, amort, n = row[-4:]
        read += n
        if provider and provider.strip().lower() not in AWS_PROVIDERS:
            skipped += n
            continue
        if currency:
            currencies.add(currency)
        is_tax = kind == "tax"
        hour = day.hour if isinstance(day, datetime) else None
        if isinstance(day, datetime):
            day = day.date()
        out.append(ActualRow(
            day=day if isinstance(day, date) else date.fromisoformat(str(day)[:10]), environment=tag or "",
            hour=hour,
            aws_service="Tax" if is_tax else (service or "(none)"),
            service=None if kind != "usage" else mapping.from_billing(service or "", usage_type or ""),
            usd=Decimal(str(unbl)), amortized_usd=Decimal(str(amort)), usage_type=usage_type or "",
            quantity=Decimal(str(qty)) if qty is not None else None, unit=unit or "", kind=kind,
            region=region or "", account=account or "", group=grp or ""))
    if len(currencies) > 1:
        raise ActualsError(f"{source}: billed in several currencies ({', '.join(sorted(currencies))}); "
                           "give one currency's export")
    month = f"{month_start:%Y-%m}"
    result = Actuals(source=f"{label} {source}", rows=out, format=label, currency=currencies.pop() if currencies
                     else "USD", rows_read=read, other_providers_skipped=skipped)
    if not out:
        seen = f" (it has {', '.join(months)})" if months else ""
        others = f"; {skipped} rows of other providers skipped" if skipped else ""
        result.unavailable = f"no billing rows for {month} in {source}{seen}{others}"
    return result
