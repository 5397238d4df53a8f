"""Actual spend from CUR 2.0 / Data Exports files (Parquet or CSV) with DuckDB: the files are queried where they
lie, never loaded whole into memory, and the SQL is the one a team would run on Athena."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from stackcost.report import mapping
from stackcost.report.actuals import ActualRow, Actuals, ActualsError

# Daily unblended and amortized cost per service, usage type and Environment tag. The tag key in CUR 2.0's
# resource_tags map is "user_<tag>"; both spellings of the case are accepted.
SQL = """
SELECT CAST(line_item_usage_start_date AS DATE) AS day,
       COALESCE(resource_tags['user_environment'], resource_tags['user_Environment'], '') AS environment,
       product_servicecode AS service_code,
       line_item_usage_type AS usage_type,
       line_item_line_item_type = 'Tax' AS is_tax,
       SUM(line_item_unblended_cost) AS unblended,
       SUM(CASE line_item_line_item_type
             WHEN 'SavingsPlanCoveredUsage' THEN savings_plan_savings_plan_effective_cost
             WHEN 'DiscountedUsage' THEN reservation_effective_cost
             ELSE line_item_unblended_cost END) AS amortized
FROM {source}
WHERE line_item_usage_start_date >= ? AND line_item_usage_start_date < ?
  AND line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'Tax', 'Fee',
                                   'RIFee', 'SavingsPlanRecurringFee')
GROUP BY ALL
ORDER BY day, environment, service_code, usage_type
"""


def _source(path: Path) -> str:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in (".parquet", ".csv"))
    if not files:
        raise ActualsError(f"{path}: no .parquet or .csv CUR files")
    kinds = {f.suffix for f in files}
    if len(kinds) > 1:
        raise ActualsError(f"{path}: mixes Parquet and CSV files")
    names = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    return f"read_parquet([{names}])" if kinds == {".parquet"} else f"read_csv([{names}], header=true)"


def read_cur(path: Path, month_start: date, month_end: date) -> Actuals:
    import duckdb

    if not path.exists():
        raise ActualsError(f"{path}: no such file or directory")
    con = duckdb.connect()
    try:
        rows = con.execute(SQL.format(source=_source(path)), [month_start, month_end]).fetchall()
    except duckdb.Error as exc:
        raise ActualsError(f"{path}: not a CUR 2.0 export ({str(exc).splitlines()[0]})") from None
    finally:
        con.close()
    out = []
    for day, env, code, usage_type, is_tax, unblended, amortized in rows:
        # Tax lines are spend the sizing model does not price (the report shows its own VAT line).
        service = None if is_tax else mapping.from_cur(code or "", usage_type or "")
        out.append(ActualRow(day=day, environment=env or "", aws_service="Tax" if is_tax else (code or "(none)"),
                             service=service, usd=Decimal(str(unblended)), amortized_usd=Decimal(str(amortized))))
    return Actuals(source=f"CUR 2.0 {path}", rows=out)
