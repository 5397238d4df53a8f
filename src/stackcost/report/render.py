"""Markdown and self-contained HTML (charts inline as SVG, every user string escaped, print stylesheet); the
workbook is written by report.xlsx.

Order, for the reader who stops early: the headline per environment, the summary, the charts, the details, and the
assumptions and prices last."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from stackcost.report import svg
from stackcost.report.model import Report, c
from stackcost.report.tables import STATUS_COLOURS, Pct, Qty, Table, Won, cell_text, headline, price_lines, tables


def _cell(v: Any) -> str:
    return cell_text(v)


def markdown(r: Report) -> str:
    lines = [f"# AWS spend report {r.options.month} — estimate, budget and actual", ""]
    lines += [f"- **{headline(e, r.options.month)}**" for e in r.environments] + [""]
    lines += [price_lines(r)[0], ""]
    for t in tables(r):
        lines += [f"## {t.title}", "", "| " + " | ".join(t.headers) + " |",
                  "|" + "|".join("---" if i == 0 else "--:" for i in range(len(t.headers))) + "|"]
        lines += ["| " + " | ".join(_cell(v).replace("|", "\\|") for v in row) + " |" for row in t.rows]
        lines += ["", t.note, ""] if t.note else [""]
    return "\n".join(lines)


CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:3px 8px;font-size:13px}td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f3f3f3}tr.total td{font-weight:bold;background:#fafafa}.flag{color:#b00;font-weight:bold}
.note{color:#555;font-size:12px}svg{display:block;margin:1em 0;max-width:100%;height:auto}
.headline{border-left:6px solid #888;padding:.4em .8em;margin:.4em 0;font-size:17px;background:#f7f7f7}
.status{display:inline-block;padding:0 .5em;border-radius:3px;color:#fff;font-size:13px;margin-left:.4em}
@media print{body{margin:0}section{break-inside:avoid}a{color:inherit}.status{border:1px solid #000}}"""


def _html_table(t: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in t.headers)
    body = []
    for i, row in enumerate(t.rows):
        cells = []
        for h, v in zip(t.headers, row, strict=False):
            numeric = isinstance(v, Decimal | Won | Pct | Qty)
            cls = ' class="n"' if numeric else (' class="flag"' if v == "⚠ check" else "")
            if h == "Status" and v in STATUS_COLOURS:
                cls = f' style="color:{STATUS_COLOURS[v]};font-weight:bold"'
            cells.append(f"<td{cls}>{escape(_cell(v))}</td>")
        tr = '<tr class="total">' if t.row_kinds.get(i) in ("total", "vat_total") else "<tr>"
        body.append(tr + "".join(cells) + "</tr>")
    note = f'<p class="note">{escape(t.note)}</p>' if t.note else ""
    return f"<section><h2>{escape(t.title)}</h2><table><tr>{head}</tr>{''.join(body)}</table>{note}</section>"


def _headlines(r: Report) -> str:
    out = []
    for e in r.environments:
        colour = STATUS_COLOURS.get(e.status, "#757575")
        out.append(f'<p class="headline" style="border-left-color:{colour}">{escape(headline(e, r.options.month))}'
                   f'<span class="status" style="background:{colour}">{escape(e.status)}</span></p>')
    prices = f'<p class="note">{escape(price_lines(r)[0])} Details under "Assumptions and prices".</p>'
    return "<section>" + "".join(out) + prices + "</section>"


def _charts(r: Report) -> str:
    charts = []
    for e in r.environments:
        charts.append(svg.burn_down(f"{e.name}: spend through {r.options.month}", r.options.days, e.daily, e.budget,
                                    e.estimate_month, e.forecast))
        charts.append(svg.paired(f"{e.name}: estimate to date against actual",
                                 [(s.service, c(s.estimate_to_date) or Decimal(0), c(s.actual_to_date))
                                  for s in e.services], ("estimate to date", "actual to date")))
        charts.append(svg.bars(f"{e.name}: actual spend to date by service",
                               [(s.service, c(s.actual_to_date) or Decimal(0)) for s in e.services
                                if s.actual_to_date]))
    return "<section><h2>Charts</h2>" + "".join(x for x in charts if x) + "</section>"


def html(r: Report) -> str:
    title = f"AWS spend report {r.options.month}"
    ts = tables(r)
    summary, details, assumptions = ts[0], ts[1:-1], ts[-1]
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
            f"<h1>{escape(title)} — estimate, budget and actual</h1>"
            + _headlines(r)
            + _html_table(summary) + _charts(r) + "".join(_html_table(t) for t in details)
            + _html_table(assumptions)
            + f"<p class=\"note\">Generated {escape(r.generated_at)} by stackcost.</p></body></html>\n")


def xlsx(r: Report, path: Path) -> None:
    from stackcost.report import xlsx as workbook

    workbook.write(r, path)
