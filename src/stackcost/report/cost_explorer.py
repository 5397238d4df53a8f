"""Actual spend from Cost Explorer and limits from AWS Budgets.

`get_cost_and_usage` (MONTHLY and DAILY, UnblendedCost and AmortizedCost, grouped by SERVICE and the Environment
cost-allocation tag the guide puts on every resource; End is exclusive; paginated) and `get_cost_forecast` for the
rest of the month. Each Cost Explorer request is billed, so answers are cached per month (and per day for the
current month) under the report's output directory."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from stackcost.report import mapping
from stackcost.report.actuals import ActualRow, Actuals, unavailable
from stackcost.util import write_atomic

TAG = "Environment"


@dataclass
class Clients:
    """Cost Explorer, its forecast, Budgets and STS (the same CE client twice in real use; tests split them)."""

    ce: Any
    forecast: Any
    budgets: Any
    sts: Any

    @classmethod
    def from_session(cls, session: Any) -> Clients:
        from botocore.config import Config

        cfg = Config(retries={"mode": "adaptive", "max_attempts": 8})
        ce = session.client("ce", region_name="us-east-1", config=cfg)
        return cls(ce=ce, forecast=ce, budgets=session.client("budgets", region_name="us-east-1", config=cfg),
                   sts=session.client("sts", config=cfg))


def _cached(cache: Path | None, name: str, fetch: Any) -> Any:
    path = cache / f"{name}.json" if cache else None
    if path is not None and path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    data = fetch()
    if path is not None:
        write_atomic(path, json.dumps(data, indent=1, default=str))
    return data


def _pages(ce: Any, **kwargs: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    token = None
    while True:
        resp = ce.get_cost_and_usage(**kwargs, **({"NextPageToken": token} if token else {}))
        out += resp.get("ResultsByTime", [])
        token = resp.get("NextPageToken")
        if not token:
            return out


def _query(granularity: str, start: date, end: date, tag: str = TAG) -> dict[str, Any]:
    return {"TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()}, "Granularity": granularity,
            "Metrics": ["UnblendedCost", "AmortizedCost"],
            "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "TAG", "Key": tag}]}


def _rows(results: list[dict[str, Any]], tag: str = TAG) -> list[ActualRow]:
    out = []
    for period in results:
        day = date.fromisoformat(period["TimePeriod"]["Start"])
        for g in period.get("Groups", []):
            service, tag = g["Keys"][0], g["Keys"][1] if len(g["Keys"]) > 1 else f"{tag}$"
            env = tag.split("$", 1)[1] if "$" in tag else ""
            metrics = g.get("Metrics", {})
            out.append(ActualRow(day=day, environment=env, aws_service=service, service=mapping.from_ce(service),
                                 usd=Decimal(metrics.get("UnblendedCost", {}).get("Amount", "0")),
                                 amortized_usd=Decimal(metrics["AmortizedCost"]["Amount"])
                                 if "AmortizedCost" in metrics else None, kind="tax" if service == "Tax" else "usage"))
    return out


def fetch(clients: Clients, month_start: date, month_end: date, as_of: date, environments: list[str],
          cache: Path | None, tag: str = TAG) -> Actuals:
    from botocore.exceptions import BotoCoreError, ClientError

    end = min(as_of, month_end)  # End is exclusive: data through the day before `end`
    if end <= month_start:
        return unavailable("ce", f"no complete day of {month_start:%Y-%m} yet (as of {as_of})")
    key = f"ce-{month_start:%Y-%m}" + ("" if end == month_end else f"-asof-{end}") + \
        ("" if tag == TAG else f"-tag-{tag}")
    try:
        _cached(cache, f"{key}-monthly", lambda: _pages(clients.ce, **_query("MONTHLY", month_start, end, tag)))
        daily = _cached(cache, f"{key}-daily", lambda: _pages(clients.ce, **_query("DAILY", month_start, end, tag)))
        rows = _rows(daily, tag)
        actuals = Actuals(source="Cost Explorer", rows=rows, format="Cost Explorer", rows_read=len(rows))
        if end < month_end:
            for env in environments:
                resp = _cached(cache, f"{key}-forecast-{env}", lambda env=env: clients.forecast.get_cost_forecast(
                    TimePeriod={"Start": end.isoformat(), "End": month_end.isoformat()}, Metric="UNBLENDED_COST",
                    Granularity="MONTHLY", Filter={"Tags": {"Key": tag, "Values": [env]}}))
                actuals.forecast[env] = Decimal(resp["Total"]["Amount"])
        actuals.budgets = budgets(clients, environments, tag)
        return actuals
    except (ClientError, BotoCoreError) as exc:
        return unavailable("ce", f"Cost Explorer: {_reason(exc)}")


def budgets(clients: Clients, environments: list[str], tag: str = TAG) -> dict[str, Decimal]:
    """Monthly cost budgets per environment: a budget filtered on the Environment tag, or named after it."""
    account = clients.sts.get_caller_identity()["Account"]
    found: dict[str, Decimal] = {}
    token = None
    while True:
        resp = clients.budgets.describe_budgets(AccountId=account, **({"NextToken": token} if token else {}))
        for b in resp.get("Budgets", []):
            if b.get("BudgetType") != "COST" or b.get("TimeUnit") != "MONTHLY":
                continue
            tags = [v.split("$", 1)[1] for v in b.get("CostFilters", {}).get("TagKeyValue", [])
                    if v.startswith(f"user:{tag}$")]
            for env in environments:
                if env in tags or (not tags and env.lower() in b["BudgetName"].lower()):
                    found[env] = Decimal(b["BudgetLimit"]["Amount"])
        token = resp.get("NextToken")
        if not token:
            return found


def _reason(exc: Exception) -> str:
    from botocore.exceptions import ClientError, NoCredentialsError

    if isinstance(exc, NoCredentialsError):
        return "no AWS credentials found"
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', '?')}: {err.get('Message', '')}"
    return str(exc).splitlines()[0]


def fetch_usage(ce: Any, month_start: date, month_end: date, tag_key: str, env: str,
                values: list[str]) -> list[ActualRow]:
    """Daily usage quantity and cost per service and usage type of one environment (calibration): GroupBy SERVICE
    and USAGE_TYPE, filtered on the environment's tag values (case-insensitive), UsageQuantity with its unit."""
    kwargs = {"TimePeriod": {"Start": month_start.isoformat(), "End": month_end.isoformat()}, "Granularity": "DAILY",
              "Metrics": ["UnblendedCost", "UsageQuantity"],
              "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "DIMENSION", "Key": "USAGE_TYPE"}],
              "Filter": {"Tags": {"Key": tag_key, "Values": values, "MatchOptions": ["EQUALS", "CASE_INSENSITIVE"]}}}
    out = []
    for period in _pages(ce, **kwargs):
        day = date.fromisoformat(period["TimePeriod"]["Start"])
        for g in period.get("Groups", []):
            service, usage_type = g["Keys"][0], g["Keys"][1] if len(g["Keys"]) > 1 else ""
            m = g.get("Metrics", {})
            q = m.get("UsageQuantity", {})
            out.append(ActualRow(day=day, environment=env, aws_service=service,
                                 service=mapping.from_billing(service, usage_type),
                                 usd=Decimal(m.get("UnblendedCost", {}).get("Amount", "0")),
                                 usage_type=usage_type, quantity=Decimal(q.get("Amount", "0")),
                                 unit=q.get("Unit", ""), kind="tax" if service == "Tax" else "usage"))
    return out
