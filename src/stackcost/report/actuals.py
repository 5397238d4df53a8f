"""Actual spend, whatever its source: daily rows per environment and AWS service, mapped to stackcost services.

Sources: Cost Explorer (`cost_explorer.py`), CUR 2.0 / Data Exports files (`cur.py`, DuckDB), or a simple CSV
(date, service, environment, USD). When none is available the report is still made and says why."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from stackcost.errors import StackcostError
from stackcost.report import mapping


class ActualsError(StackcostError, ValueError):
    """An actuals source that cannot be read (one line for the user)."""


@dataclass(frozen=True)
class ActualRow:
    day: date
    environment: str  # "" when the spend carries no Environment tag
    aws_service: str
    service: str | None  # stackcost's service, None = not modelled
    usd: Decimal  # unblended (billed) cost, in `Actuals.currency`
    amortized_usd: Decimal | None = None
    # The format-blind internal table (report/billing/): every adapter fills what its source has.
    usage_type: str = ""
    quantity: Decimal | None = None
    unit: str = ""
    kind: str = "usage"  # usage | tax | credit | refund | purchase | discount | adjustment | correction
    region: str = ""
    account: str = ""
    hour: int | None = None  # 0-23 when read hourly (calibration), else None (daily rows)
    group: str = ""  # a second tag's value when asked for (calibration: the ECS service of Fargate usage)


@dataclass
class Actuals:
    source: str
    rows: list[ActualRow] = field(default_factory=list)
    unavailable: str = ""  # why there is no actual spend (the report still renders)
    forecast: dict[str, Decimal] = field(default_factory=dict)  # env -> spend forecast for the rest of the month
    budgets: dict[str, Decimal] = field(default_factory=dict)  # env -> limit (from AWS Budgets)
    format: str = ""  # "FOCUS 1.0", "CUR 2.0", "CUR legacy", "Cost Explorer", "CSV"
    currency: str = "USD"  # the billing currency, kept as billed (never converted silently)
    rows_read: int = 0  # source rows of the month (all providers)
    other_providers_skipped: int = 0  # rows of a multi-cloud FOCUS file that are not AWS
    notes: list[str] = field(default_factory=list)  # e.g. the query id and data scanned of an Athena run

    def for_env(self, env: str) -> list[ActualRow]:
        # Tag values are typed by people: "Production" and "production" are the same environment.
        return [r for r in self.rows if r.environment.lower() == env.lower()]


def unavailable(source: str, why: str) -> Actuals:
    return Actuals(source=source, unavailable=why)


def read_simple_csv(path: Path, month_start: date, month_end: date) -> Actuals:
    """date, service, environment, USD — `service` may be a stackcost service or an AWS (Cost Explorer) name."""
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise ActualsError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ActualsError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise ActualsError(f"{path}: not a readable CSV ({exc})") from None
    need = {"date", "service", "environment", "USD"}
    if not rows or not need <= set(rows[0]):
        raise ActualsError(f"{path}: needs the columns date, service, environment, USD")
    known = mapping.labels()
    out = []
    for i, r in enumerate(rows, start=2):
        if None in r.values() or None in r:  # a short row, or one with more fields than the header
            raise ActualsError(f"{path}:{i}: not as many fields as the header")
        try:
            day = date.fromisoformat(r["date"][:10])
            usd = Decimal(r["USD"])
            if not usd.is_finite():
                raise ValueError("not a finite amount")
        except (ValueError, InvalidOperation, TypeError):
            raise ActualsError(f"{path}:{i}: date {r['date']!r} / USD {r['USD']!r} not understood") from None
        if not month_start <= day < month_end:
            continue
        service = r["service"] if r["service"] in known else mapping.from_ce(r["service"])
        out.append(ActualRow(day=day, environment=r["environment"], aws_service=r["service"], service=service,
                             usd=usd, kind="tax" if r["service"] == "Tax" else "usage"))
    return Actuals(source=f"csv:{path}", rows=out, format="CSV", rows_read=len(out))
