"""The billing side of the report as tables, for `report/tables.py` to append (one call:
`out += billing_tables(r)`): the source and its month (format, rows, other providers, currency), the charge lines,
the unallocated spend by service with the tag values seen, and per environment the usage types beside the
estimate. The summary table's own "Unallocated" row is `unallocated_row(r)` (same columns as the summary)."""

from __future__ import annotations

from typing import Any

from stackcost.report.model import Report
from stackcost.report.tables import Qty, Table


def unallocated_row(r: Report) -> list[Any] | None:
    """["Unallocated (no environment tag)", budget, estimate month, estimate to date, actual, forecast, method,
    status] for the summary, or None when everything is allocated."""
    if not r.unallocated_usd:
        return None
    return [f"Unallocated (no {r.tag_key} tag matching an environment)", None, None, None, r.unallocated_usd, None,
            "", "not in any environment's total"]


def billing_tables(r: Report) -> list[Table]:
    out: list[Table] = []
    if r.actuals_format:
        src = Table(f"Actual spend source: {r.actuals_format}", ["Item", "Value"], [
            ["Source", r.actuals_source],
            ["Rows read for the month", r.rows_read],
            ["Rows of other providers skipped", r.other_providers_skipped],
            ["Billing currency", r.actuals_currency],
            ["All AWS charges excl. tax (credits, refunds included)", r.actuals_total_usd],
            ["Amortized", r.amortized_total_usd],
        ])
        for label, amount in r.charges:
            src.rows.append([label, amount])
        if r.billed and r.actuals_currency != "USD":
            src.rows.append([f"Total as billed ({r.billed['currency']})", f"{r.billed['total']:,.2f}"])
        src.note = " ".join(r.actuals_notes)
        out.append(src)
    if r.unallocated_usd:
        values = ", ".join(repr(v) if v else "(untagged)" for v in r.unallocated_tag_values[:20])
        more = len(r.unallocated_tag_values) - 20
        out.append(Table(
            f"Unallocated spend: {r.tag_key} tag missing or naming no environment",
            ["Service", "Actual to date"],
            [[k, v] for k, v in r.unallocated_by_service] + [["Total unallocated", r.unallocated_usd]],
            f"Tag values seen: {values}{f' and {more} more' if more > 0 else ''}. Map them to environments with "
            f"tag_values in the config (e.g. tag_values: {{production: [prod]}})."))
    for e in r.environments:
        rows = [[u.service, u.usage_type or "—", u.unit, u.actual_quantity, u.actual_usd,
                 u.estimate_quantity_to_date, u.estimate_to_date, u.estimate_component or "not in the estimate",
                 u.sizing_field or "—", u.suggested]
                for u in e.usage_types if u.actual_usd or u.estimate_to_date or u.actual_quantity]
        if rows:
            out.append(Table(f"{e.name}: usage types, actual against the estimate line",
                             ["Service", "Usage type", "Unit", "Actual quantity", "Actual to date",
                              "Estimate assumed to date", "Estimate to date", "Estimate line", "Sizing field",
                              "Observed value (per 730 h)"],
                             [[Qty(v) if i in (3, 5, 9) and not isinstance(v, str) else v
                               for i, v in enumerate(row)] for row in rows],
                             "Observed value: the bill's rate as the sizing field's value (tasks for Fargate); "
                             "`cost report --suggest-calibration` prints the `cost calibrate` command."))
    return out
