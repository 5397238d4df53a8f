"""The report as titled tables (the same ones in Markdown, HTML and Excel)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stackcost.report.model import Report, c


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]  # Decimal (money), str, int, None
    note: str = ""


def money(v: Decimal | None) -> str:
    if v is None:
        return "—"
    v = c(v) or Decimal(0)
    return f"−${-v:,.2f}" if v < 0 else f"${v:,.2f}"


def krw(v: Decimal | None, rate: Decimal | None) -> str:
    return "—" if v is None or rate is None else f"₩{(v * rate).quantize(Decimal(1)):,}"


def pct(v: Decimal | None) -> str:
    return "—" if v is None else f"{v:+.1f}%"


def tables(r: Report) -> list[Table]:
    o = r.options
    rate = o.krw_per_usd
    kcols = ["Forecast (KRW)"] if rate else []
    summary = Table(
        f"Summary {o.month} (as of {o.as_of}, {o.elapsed} of {o.days} days)",
        ["Environment", "Budget", "Estimate (month)", "Estimate to date", "Actual to date", "Forecast month end",
         "Forecast method", "Status", *kcols], [])
    for e in r.environments:
        summary.rows.append([e.name, e.budget, e.estimate_month, e.estimate_to_date, e.actual_to_date, e.forecast,
                             e.forecast_method, e.status, *([krw(e.forecast, rate)] if rate else [])])
    t = r.totals()
    summary.rows.append(["Total", t["budget"], t["estimate_month"], t["estimate_to_date"], t["actual_to_date"],
                         t["forecast"], "", "", *([krw(t["forecast"], rate)] if rate else [])])
    vat_base = t["forecast"] if t["forecast"] is not None else t["estimate_month"]
    vat = None if vat_base is None else vat_base * o.vat_rate
    label = "forecast" if t["forecast"] is not None else "estimate"
    vat_label = f"VAT {(o.vat_rate * 100).normalize():f}% on the {label} (Korean billing)"
    summary.rows.append([vat_label, None, None, None, None, vat, "", "", *([krw(vat, rate)] if rate else [])])
    summary.rows.append([f"Total {label} incl. VAT", None, None, None, None,
                         None if vat_base is None or vat is None else vat_base + vat, "", "",
                         *([krw(vat_base + vat if vat_base is not None and vat is not None else None, rate)]
                           if rate else [])])
    notes = [f"Amounts in USD before VAT unless marked. Variances flagged beyond {o.threshold_pct.normalize():f}% "
             f"and ${o.threshold_usd.normalize():f}."]
    if rate:
        notes.append(f"KRW at ₩{rate:,} per USD, rate of {o.krw_date or 'unstated date'}.")
    if r.actuals_unavailable:
        notes.append(f"No actual spend: {r.actuals_unavailable}. The report shows the estimate and budget only.")
    summary.note = " ".join(notes)
    out = [summary]
    for e in r.environments:
        st = Table(f"{e.name}: estimate against actual, per service",
                   ["Service", "Estimate (month)", "Estimate to date", "Actual to date", "Variance", "Variance %",
                    "Flag"], [])
        for s in e.services:
            st.rows.append([s.service, s.estimate_month, s.estimate_to_date, s.actual_to_date, s.variance,
                            pct(s.variance_pct), "⚠ check" if s.flagged else ""])
        st.note = f"Budget source: {e.budget_source}."
        out.append(st)
        if e.unmodelled:
            out.append(Table(f"{e.name}: unmodelled actual spend (services the sizing model does not price)",
                             ["AWS service", "Actual to date"], [[k, v] for k, v in e.unmodelled],
                             note="Tax is not in the actual totals above: the summary shows VAT on its own line."
                             if any(k == "Tax" for k, _ in e.unmodelled) else ""))
    com = Table("Commitments", ["Environment", "Upfront due if bought this month", "Monthly amortised upfront",
                                "Plan saving per month", "Amortized − unblended to date", "Plan"], [])
    for e in r.environments:
        diff = None if e.amortized_to_date is None or e.actual_to_date is None else \
            e.amortized_to_date - e.actual_to_date
        com.rows.append([e.name, e.plan_upfront, e.plan_monthly_amortized, e.plan_saving, diff,
                         "; ".join(e.plan_steps) or "no commitments recommended"])
    com.note = (f"The recommended plan of `cost optimize --risk {o.risk}`. Amortized − unblended shows upfront fees "
                "already spread by AWS (0 when no reservation or plan is active).")
    out.append(com)
    if r.previous:
        prev = {e["name"]: e for e in r.previous.get("environments", [])}
        ch = Table(f"Change against the previous report ({r.previous.get('options', {}).get('month', '?')})",
                   ["Environment", "Previous actual", "Previous forecast", "This forecast", "Change",
                    "Previous estimate", "This estimate"], [])
        for e in r.environments:
            p = prev.get(e.name, {})
            pf = Decimal(p["forecast"]) if p.get("forecast") else None
            ch.rows.append([e.name, Decimal(p["actual_to_date"]) if p.get("actual_to_date") else None, pf,
                            e.forecast, None if pf is None or e.forecast is None else e.forecast - pf,
                            Decimal(p["estimate_month"]) if p.get("estimate_month") else None, e.estimate_month])
        out.append(ch)
    a = Table("Assumptions and prices", ["Item"], [
        [f"Prices: AWS list prices for ap-northeast-2 published {r.published_min} to {r.published_max}."],
        ["The estimate is the sizing model's average month (730 h); 'to date' is its hourly rate × the hours "
         "elapsed; the forecast is AWS's (Cost Explorer) or the days so far extended to the month's end."],
        [f"Actual spend: {r.actuals_source}" + (f" (unavailable: {r.actuals_unavailable})"
                                               if r.actuals_unavailable else "")]])
    for e in r.environments:
        a.rows += [[x] for x in e.assumptions]
    out.append(a)
    return out
