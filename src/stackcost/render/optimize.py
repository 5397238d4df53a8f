"""`cost optimize` as a terminal table (fitted to the width), JSON, CSV and Markdown. No arithmetic beyond
formatting."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from stackcost.money import View, usd
from stackcost.optimize.options import Option
from stackcost.render.table import Col, Styled, table

if TYPE_CHECKING:

    from stackcost.optimize import OptimizeResult

_COLUMNS = ["environment", "service", "line", "option", "kind", "term", "purchase_option", "upfront_usd",
            "monthly_recurring_usd", "effective_monthly_usd", "on_demand_monthly_usd", "monthly_saving_usd",
            "saving_pct", "break_even_month", "total_1y_usd", "total_3y_usd", "on_demand_1y_usd", "on_demand_3y_usd",
            "available", "indicative", "applicable", "risk", "constraint", "covers", "rate_codes"]


def _status(o: Option) -> str:
    if o.indicative:
        return "INDICATIVE"
    if not o.available:
        return "not in catalog"
    if not o.applicable:
        return "not applicable"
    return ""


def optimize_json(result: OptimizeResult) -> str:
    return json.dumps(result.to_json(), indent=2, ensure_ascii=False)


def optimize_csv(result: OptimizeResult) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=_COLUMNS, lineterminator="\n")
    w.writeheader()
    for o in result.options:
        row = o.to_json()
        row["rate_codes"] = " ".join(row["rate_codes"])
        w.writerow(row)
    return buf.getvalue()


def _pct(o: Option) -> str:
    return "—" if o.saving_pct is None else f"{o.saving_pct:.1f}%"


def _be(o: Option) -> str:
    return "—" if o.break_even_month is None else f"month {o.break_even_month}"


def optimize_markdown(result: OptimizeResult) -> str:
    p = result.plan
    lines = [f"# {result.environment} — savings options ({result.region})", "",
             f"On-demand baseline: {usd(result.baseline_monthly_usd)}/month. Catalog published "
             f"{result.published_min} to {result.published_max}.", "",
             "| Service | Line | Option | Upfront | Monthly | Effective/mo | Saving/mo | Saving | Break-even | 1 yr | "
             "3 yr | Risk | Status | Notes |",
             "|---|---|---|--:|--:|--:|--:|--:|---|--:|--:|---|---|---|"]
    for o in result.options:
        lines.append(f"| {o.service} | {o.line} | {o.option} | {usd(o.upfront_usd)} | {usd(o.monthly_recurring_usd)}"
                     f" | {usd(o.effective_monthly_usd)} | {usd(o.monthly_saving_usd)} | {_pct(o)} | {_be(o)} | "
                     f"{usd(o.total_1y_usd)} | {usd(o.total_3y_usd)} | {o.risk} | {_status(o)} | "
                     f"{o.constraint.replace('|', '/')} |")
    lines += ["", f"## Recommended plan (risk {p.risk}: {p.rule})", "",
              "| Step | Option | Saving/mo |", "|---|---|--:|"]
    for i, s in enumerate(p.steps, 1):
        lines.append(f"| {i} | {s.option.option} ({s.option.service}) | {usd(s.monthly_saving_usd)} |")
    lines += ["", f"**{usd(p.baseline_monthly_usd)} → {usd(p.planned_monthly_usd)} per month: saves "
                  f"{usd(p.monthly_saving_usd)} ({p.saving_pct:.1f}%), {usd(p.upfront_usd)} upfront.**", ""]
    lines += [_sizing_line(sz) for sz in result.sizing]
    lines += ["", *[f"- {n}" for n in result.notes + [f"left out: {x}" for x in p.left_out]]]
    return "\n".join(lines) + "\n"


def _sizing_line(s: object) -> str:
    from stackcost.optimize.sp_sizing import Sizing

    assert isinstance(s, Sizing)
    mark = " INDICATIVE (another region's discount)" if s.indicative else ""
    return (f"Savings Plan sizing for {s.service}{mark}: commit ${s.commitment_per_hour:.4f}/h "
            f"(discount {s.discount * 100:.1f}%, peak on-demand ${s.peak_per_hour:.4f}/h over {s.hours} h): "
            f"{usd(s.on_demand_monthly_usd)} → {usd(s.with_plan_monthly_usd)} per month, saves "
            f"{usd(s.monthly_saving_usd)}.")


def optimize_tables(result: OptimizeResult, width: int, view: View | None = None, wide: bool = False) -> list[object]:

    cols = [Col("Service", min_width=8, words=True), Col("Option", min_width=18), Col("Upfront", numeric=True, drop=3),
            Col("Monthly", numeric=True, drop=5), Col("Effective", numeric=True), Col("Saving/mo", numeric=True),
            Col("%", numeric=True), Col("Break-even", numeric=True, drop=2), Col("1 yr", numeric=True, drop=6),
            Col("3 yr", numeric=True, drop=7), Col("Risk", drop=4), Col("Notes", min_width=30, drop=9)]
    if not (wide or width >= 180):
        cols[-1] = Col("Notes", min_width=30, drop=99)  # long: under the table's options in --wide/markdown
    rows = []
    for o in result.options:
        status = _status(o)
        style = "dim" if status and status != "INDICATIVE" else ("yellow" if o.indicative else "")
        name = Styled(o.option + (f" [{status}]" if status else ""), style=style)
        rows.append([o.service, name, usd(o.upfront_usd), usd(o.monthly_recurring_usd),
                     usd(o.effective_monthly_usd), usd(o.monthly_saving_usd), _pct(o), _be(o), usd(o.total_1y_usd),
                     usd(o.total_3y_usd), o.risk, (f"{status}: " if status else "") + o.constraint])
    t, keep = table(cols, rows, width, title=f"{result.environment}: savings options against on-demand "
                                             f"{usd(result.baseline_monthly_usd)}/month ({result.region})")
    p = result.plan
    pcols = [Col("#", numeric=True), Col("Option", min_width=20), Col("Service", min_width=8, drop=1),
             Col("Saving/mo", numeric=True), Col("Upfront", numeric=True)]
    prow: list[list[Any]] = [[str(i), s.option.option, s.option.service, usd(s.monthly_saving_usd),
             usd(s.option.upfront_usd) if s.option.kind in ("reserved", "savings-plan") else ""]
            for i, s in enumerate(p.steps, 1)]
    prow.append(["", Styled("Total", style="bold"), "", Styled(usd(p.monthly_saving_usd), style="bold"),
                 Styled(usd(p.upfront_usd), style="bold")])
    pt, _ = table(pcols, prow, width, title=f"Recommended plan, risk {p.risk} ({p.rule})", sections={len(prow) - 2})
    summary = Styled(f"{usd(p.baseline_monthly_usd)} → {usd(p.planned_monthly_usd)} per month: saves "
                   f"{usd(p.monthly_saving_usd)} ({p.saving_pct:.1f}%) with {usd(p.upfront_usd)} upfront.",
                   style="bold")
    parts: list[object] = [t]
    if len(cols) - 1 not in keep:
        parts.append(Styled("Notes on each option (constraints, why not applicable): --wide or --format markdown.",
                          style="dim"))
    parts += [pt, summary]
    if view is not None:
        from stackcost.render.estimate import view_lines

        parts += [Styled(f"After the plan: {line}") for line in view_lines(p.planned_monthly_usd, view)]
    parts += [Styled(_sizing_line(s)) for s in result.sizing]
    parts += [Styled(f"note: {n}", style="dim") for n in result.notes]
    parts += [Styled(f"left out of the plan: {x}", style="dim") for x in p.left_out]
    return parts
