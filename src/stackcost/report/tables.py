"""The report as titled tables (the same ones in Markdown, HTML and Excel), plus the headline sentences.

Cells keep their kind so each format can show it properly: Decimal is USD, `Won` a KRW amount, `Pct` a percentage,
str text, int a count, None "—". A table knows which of its rows are totals, so the workbook can write those as
formulas over the rows above."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stackcost.report.model import EnvReport, Report, c


@dataclass(frozen=True)
class Won:
    """An amount in won: USD × the rate the user gave (the rate and its date are in the table's note)."""

    usd: Decimal | None
    rate: Decimal

    @property
    def value(self) -> Decimal | None:
        """The shown (cent-rounded) USD amount in won, so the two columns agree."""
        return None if self.usd is None else ((c(self.usd) or Decimal(0)) * self.rate).quantize(Decimal(1))


@dataclass(frozen=True)
class Qty:
    """A quantity in some unit (GB, hours, requests): a number, shown with two decimals, never money."""

    value: Decimal | None


@dataclass(frozen=True)
class Pct:
    value: Decimal | None  # in percent: 50 = 50 %


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]  # Decimal (USD), Won, Pct, str, int, None
    note: str = ""
    sheet: str = ""  # the workbook's sheet name (Excel allows 31 characters)
    # Row index → "total" (sum of the "data" rows above) | "vat" (the total × vat_rate) | "vat_total" (total + vat)
    row_kinds: dict[int, str] = field(default_factory=dict)
    vat_rate: Decimal | None = None


def money(v: Decimal | None) -> str:
    if v is None:
        return "—"
    v = c(v) or Decimal(0)
    return f"−${-v:,.2f}" if v < 0 else f"${v:,.2f}"


def krw(v: Decimal | None, rate: Decimal | None) -> str:
    return "—" if v is None or rate is None else f"₩{Won(v, rate).value:,}"


def pct(v: Decimal | None) -> str:
    return "—" if v is None else f"{v:+.1f}%"


def cell_text(v: Any) -> str:
    if isinstance(v, Won):
        return "—" if v.value is None else f"₩{v.value:,}"
    if isinstance(v, Pct):
        return pct(v.value)
    if isinstance(v, Qty):
        return "—" if v.value is None else f"{v.value:,.2f}"
    if isinstance(v, Decimal):
        return money(v)
    return "—" if v is None else str(v)


BUDGET_SOURCES = {"--budget": "given on the command line", "config budget_usd": "the sizing file's budget_usd",
                  "AWS Budgets": "AWS Budgets", "none": "none set"}
FORECAST_METHODS = {"Cost Explorer forecast": "AWS Cost Explorer's forecast added to the spend so far",
                    "linear from the days so far": "the daily average so far, extended to the month's end",
                    "month complete": "the month is complete: the forecast is the actual spend",
                    "no actual spend data": "no forecast without actual spend",
                    "no complete day yet": "no forecast before the first complete day"}
# The status colour of the headline and the summary (green, amber, red, grey).
STATUS_COLOURS = {"on track": "#1a7f37", "at risk": "#b35900", "over": "#c62828"}


def budget_source(source: str) -> str:
    return BUDGET_SOURCES.get(source, source)


def forecast_method(method: str) -> str:
    return FORECAST_METHODS.get(method, method)


def headline(e: EnvReport, month: str) -> str:
    """The sentence a CFO reads first, per environment."""
    budget = f"a budget of {money(e.budget)}" if e.budget is not None else "no budget"
    if e.forecast is not None:
        text = f"{e.name} will end {month} at {money(e.forecast)} against {budget}"
        if e.budget is not None:
            gap = e.forecast - e.budget
            text += f" ({money(abs(gap))} {'over' if gap > 0 else 'under'}; {e.status})"
        return text + "."
    if e.actual_to_date is not None:
        return (f"{e.name} has spent {money(e.actual_to_date)} so far in {month} against {budget}; "
                f"{forecast_method(e.forecast_method)}.")
    return (f"{e.name} is estimated at {money(e.estimate_month)} for {month} against {budget} "
            "(no actual spend to compare yet).")


def _sheet(name: str, suffix: str) -> str:
    """'<environment> <suffix>' within Excel's 31 characters, shortening the environment name, never the suffix."""
    room = 31 - len(suffix) - 1
    return f"{name if len(name) <= room else name[: room - 1] + '…'} {suffix}"


def tables(r: Report) -> list[Table]:
    o = r.options
    rate = o.krw_per_usd
    kcols = ["Forecast (KRW)"] if rate else []
    summary = Table(
        f"Summary {o.month} (as of {o.as_of}, {o.elapsed} of {o.days} days)",
        ["Environment", "Budget", "Estimate (month)", "Estimate to date", "Actual to date", "Forecast month end",
         "Forecast method", "Status", *kcols], [], sheet=f"Summary {o.month}")
    for e in r.environments:
        summary.rows.append([e.name, e.budget, e.estimate_month, e.estimate_to_date, e.actual_to_date, e.forecast,
                             forecast_method(e.forecast_method), e.status,
                             *([Won(e.forecast, rate)] if rate else [])])
    t = r.totals()
    summary.row_kinds[len(summary.rows)] = "total"
    summary.rows.append(["Total", t["budget"], t["estimate_month"], t["estimate_to_date"], t["actual_to_date"],
                         t["forecast"], "", "", *([Won(t["forecast"], rate)] if rate else [])])
    # VAT goes on the forecast when there is one, else on the estimate, and sits in that amount's column.
    on_forecast = t["forecast"] is not None
    vat_base = t["forecast"] if on_forecast else t["estimate_month"]
    vat = None if vat_base is None else vat_base * o.vat_rate
    label = "forecast" if on_forecast else "estimate"
    column = 5 if on_forecast else 2

    def vat_row(text: str, value: Decimal | None) -> list[Any]:
        row: list[Any] = [text, None, None, None, None, None, "", ""]
        row[column] = value
        return row + ([Won(value, rate) if on_forecast else None] if rate else [])

    summary.row_kinds[len(summary.rows)] = "vat"
    summary.rows.append(vat_row(f"VAT {(o.vat_rate * 100).normalize():f}% on the {label} (Korean billing)", vat))
    summary.row_kinds[len(summary.rows)] = "vat_total"
    summary.rows.append(vat_row(f"Total {label} incl. VAT",
                                None if vat_base is None or vat is None else vat_base + vat))
    summary.vat_rate = o.vat_rate
    from stackcost.report.billing.present import billing_tables, unallocated_row

    # Spend no environment's tag claims is shown under the totals (it is in no environment's total), never hidden.
    unallocated = unallocated_row(r)
    if unallocated is not None:
        summary.row_kinds[len(summary.rows)] = "unallocated"
        summary.rows.append(unallocated + ([None] if rate else []))
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
                    "Flag"], [], sheet=_sheet(e.name, "estimate vs actual"))
        for s in e.services:
            st.rows.append([s.service, s.estimate_month, s.estimate_to_date, s.actual_to_date, s.variance,
                            Pct(s.variance_pct), "⚠ check" if s.flagged else ""])
        if e.services:
            total_var = None if e.actual_to_date is None else sum(
                (s.variance for s in e.services if s.variance is not None), Decimal(0))
            st.row_kinds[len(st.rows)] = "total"
            st.rows.append(["Total", sum((s.estimate_month for s in e.services), Decimal(0)),
                            sum((s.estimate_to_date for s in e.services), Decimal(0)),
                            None if e.actual_to_date is None else sum(
                                (s.actual_to_date or Decimal(0) for s in e.services), Decimal(0)),
                            total_var, Pct(None), ""])
        st.note = f"Budget: {budget_source(e.budget_source)}. Forecast: {forecast_method(e.forecast_method)}."
        out.append(st)
        if e.unmodelled:
            out.append(Table(f"{e.name}: unmodelled actual spend (services the sizing model does not price)",
                             ["AWS service", "Actual to date"], [[k, v] for k, v in e.unmodelled],
                             note="Tax is not in the actual totals above: the summary shows VAT on its own line."
                             if any(k == "Tax" for k, _ in e.unmodelled) else "",
                             sheet=_sheet(e.name, "unmodelled spend")))
    com = Table("Commitments", ["Environment", "Upfront due if bought this month", "Monthly amortised upfront",
                                "Plan saving per month", "Amortized − unblended to date", "Plan"], [],
                sheet="Commitments")
    for e in r.environments:
        diff = None if e.amortized_to_date is None or e.actual_to_date is None else \
            e.amortized_to_date - e.actual_to_date
        com.rows.append([e.name, e.plan_upfront, e.plan_monthly_amortized, e.plan_saving, diff,
                         "; ".join(e.plan_steps) or "no commitments recommended"])
    com.note = (f"The recommended plan of `cost optimize --risk {o.risk}`. Amortized − unblended shows upfront fees "
                "already spread by AWS (0 when no reservation or plan is active).")
    out.append(com)
    if r.previous:
        prev_month = r.previous.get("options", {}).get("month", "?")
        prev = {e["name"]: e for e in r.previous.get("environments", [])}
        ch = Table(f"Change against the previous report ({prev_month})",
                   ["Environment", "Previous actual", "Previous forecast", "This forecast", "Change",
                    "Previous estimate", "This estimate"], [], sheet=f"Change from {prev_month}")
        for e in r.environments:
            p = prev.get(e.name, {})
            pf = Decimal(p["forecast"]) if p.get("forecast") else None
            ch.rows.append([e.name, Decimal(p["actual_to_date"]) if p.get("actual_to_date") else None, pf,
                            e.forecast, None if pf is None or e.forecast is None else e.forecast - pf,
                            Decimal(p["estimate_month"]) if p.get("estimate_month") else None, e.estimate_month])
        out.append(ch)
    out += billing_tables(r)  # the source, charge lines, unallocated spend, usage types against the estimate
    out.append(assumptions(r))
    return out


def price_lines(r: Report) -> list[str]:
    """How old the prices are, which price lists are stale, where they came from, how to refresh them."""
    if r.freshness and r.freshness.get("lines"):
        return [str(x) for x in r.freshness["lines"]]
    return [f"Prices: AWS list prices for ap-northeast-2 published {r.published_min} to {r.published_max}."]


def assumptions(r: Report) -> Table:
    a = Table("Assumptions and prices", ["Item"], [[line] for line in price_lines(r)], sheet="Assumptions")
    a.rows += [
        ["The estimate is the sizing model's average month (730 h); 'to date' is its hourly rate × the hours "
         "elapsed; the forecast is AWS's (Cost Explorer) or the days so far extended to the month's end."],
        [f"Actual spend: {r.actuals_source}" + (f" (unavailable: {r.actuals_unavailable})"
                                               if r.actuals_unavailable else "")]]
    for e in r.environments:
        a.rows += [[f"{e.name}: {x}"] for x in e.assumptions]
    return a
