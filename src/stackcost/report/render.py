"""Markdown, self-contained HTML (charts inline as SVG, every user string escaped, print stylesheet) and Excel."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from stackcost.report import svg
from stackcost.report.model import Report, c
from stackcost.report.tables import Table, money, tables
from stackcost.util import atomic_target


def _cell(v: Any) -> str:
    if isinstance(v, Decimal):
        return money(v)
    return "—" if v is None else str(v)


def markdown(r: Report) -> str:
    lines = [f"# AWS spend report {r.options.month} — estimate, budget and actual", ""]
    for t in tables(r):
        lines += [f"## {t.title}", "", "| " + " | ".join(t.headers) + " |",
                  "|" + "|".join("---" if i == 0 else "--:" for i in range(len(t.headers))) + "|"]
        lines += ["| " + " | ".join(_cell(v).replace("|", "\\|") for v in row) + " |" for row in t.rows]
        lines += ["", t.note, ""] if t.note else [""]
    return "\n".join(lines)


CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:3px 8px;font-size:13px}td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f3f3f3}.flag{color:#b00;font-weight:bold}.note{color:#555;font-size:12px}svg{display:block;margin:1em 0}
@media print{body{margin:0}section{break-inside:avoid}a{color:inherit}}"""


def _html_table(t: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in t.headers)
    body = []
    for row in t.rows:
        cells = []
        for v in row:
            cls = ' class="n"' if isinstance(v, Decimal) else (' class="flag"' if v == "⚠ check" else "")
            cells.append(f"<td{cls}>{escape(_cell(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = f'<p class="note">{escape(t.note)}</p>' if t.note else ""
    return f"<section><h2>{escape(t.title)}</h2><table><tr>{head}</tr>{''.join(body)}</table>{note}</section>"


def html(r: Report) -> str:
    charts = []
    for e in r.environments:
        charts.append(svg.bars(f"{e.name}: actual spend to date by service",
                               [(s.service, c(s.actual_to_date) or Decimal(0)) for s in e.services
                                if s.actual_to_date]))
        charts.append(svg.paired(f"{e.name}: estimate to date against actual",
                                 [(s.service, c(s.estimate_to_date) or Decimal(0), c(s.actual_to_date))
                                  for s in e.services], ("estimate", "actual")))
        charts.append(svg.burn_down(f"{e.name}: spend through the month", r.options.days, e.daily, e.budget,
                                    e.estimate_month))
    title = f"AWS spend report {r.options.month}"
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
            f"<h1>{escape(title)} — estimate, budget and actual</h1>"
            f"<p class=\"note\">Generated {escape(r.generated_at)} by stackcost.</p>"
            + "".join(_html_table(t) for t in tables(r))
            + "<section><h2>Charts</h2>" + "".join(x for x in charts if x) + "</section></body></html>\n")


def xlsx(r: Report, path: Path) -> None:
    """One sheet per table, numbers as numbers (USD format), and the charts as Excel charts."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for t in tables(r):
        name = _sheet_name(t.title, used)
        ws = wb.create_sheet(name)
        ws.append([t.title])
        ws.append(t.headers)
        for row in t.rows:
            ws.append([float(c(v) or 0) if isinstance(v, Decimal) else v for v in row])
            for cell, v in zip(ws[ws.max_row], row, strict=False):
                if isinstance(v, Decimal):
                    cell.number_format = '"$"#,##0.00'
        if t.note:
            ws.append([])
            ws.append([t.note])
        for col in ws.columns:
            ws.column_dimensions[col[0].column_letter].width = 22
        if t.title.endswith("per service") and len(t.rows):
            chart = BarChart()
            chart.title = t.title
            chart.type = "bar"
            data = Reference(ws, min_col=3, max_col=4, min_row=2, max_row=2 + len(t.rows))
            chart.add_data(data, titles_from_data=True)
            chart.set_categories(Reference(ws, min_col=1, min_row=3, max_row=2 + len(t.rows)))
            chart.height, chart.width = 9, 18
            ws.add_chart(chart, "I3")
    for e in r.environments:
        if not e.daily:
            continue
        ws = wb.create_sheet(_sheet_name(f"{e.name} burn-down", used))
        ws.append(["day", "cumulative actual", "estimate (straight line)", "budget"])
        for day, v in e.daily:
            d = int(day[-2:])
            ws.append([d, float(c(v) or 0), float(c(e.estimate_month * d / r.options.days) or 0),
                       float(e.budget) if e.budget is not None else None])
        chart = LineChart()
        chart.title = f"{e.name}: spend through the month"
        chart.add_data(Reference(ws, min_col=2, max_col=4, min_row=1, max_row=1 + len(e.daily)),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=1 + len(e.daily)))
        ws.add_chart(chart, "F2")
    with atomic_target(path) as tmp:
        wb.save(tmp)


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28].strip()
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]} {n}", n + 1
    used.add(name)
    return name
