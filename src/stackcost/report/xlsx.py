"""The report as an Excel workbook: the report's tables one per sheet, a burn-down and a line-item sheet per
environment.

Every amount is a number with a number format (USD, KRW, %), never text; totals are formulas over the cells above
(so an edited cell updates its total); sheet names read whole within Excel's 31 characters; the burn-down chart has
the budget, the estimate, the actual spend and the forecast."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from stackcost.report.model import EnvReport, Report, c
from stackcost.report.tables import Pct, Qty, Table, Won, headline, tables
from stackcost.util import atomic_target

USD = '"$"#,##0.00;-"$"#,##0.00'
USD_RATE = '"$"#,##0.00######'  # unit prices: every published digit
KRW = '"₩"#,##0;-"₩"#,##0'
PERCENT = "+0.0%;-0.0%;0.0%"
QUANTITY = "#,##0.####"
MAX_SHEET = 31


def _sheet_name(wanted: str, used: set[str]) -> str:
    base = "".join(ch for ch in wanted if ch not in "[]:*?/\\").strip()[:MAX_SHEET]
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: MAX_SHEET - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _write_value(cell: Any, v: Any) -> None:
    if isinstance(v, Won):
        if v.value is not None:
            cell.value, cell.number_format = int(v.value), KRW
    elif isinstance(v, Pct):
        if v.value is not None:
            cell.value, cell.number_format = float(v.value / 100), PERCENT
    elif isinstance(v, Qty):
        if v.value is not None:
            cell.value, cell.number_format = float(v.value), "#,##0.00"
    elif isinstance(v, Decimal):
        cell.value, cell.number_format = float(c(v) or 0), USD
    elif v is not None and v != "":
        cell.value = v


def _formula(kind: str, v: Any, col: str, data: tuple[int, int], total_row: int | None, vat_row: int | None,
             vat_rate: Decimal | None) -> str | None:
    """The formula of a total-like cell, or None to write the value itself."""
    amount = v.value if isinstance(v, Won) else v if isinstance(v, Decimal) else None
    if amount is None:
        return None
    if kind == "total":
        return f"=SUM({col}{data[0]}:{col}{data[1]})"
    if kind == "vat" and total_row and vat_rate is not None:
        return f"=ROUND({col}{total_row}*{vat_rate},{0 if isinstance(v, Won) else 2})"
    if kind == "vat_total" and total_row and vat_row:
        return f"={col}{total_row}+{col}{vat_row}"
    return None


def _table_sheet(wb: Any, t: Table, used: set[str]) -> Any:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(_sheet_name(t.sheet or t.title, used))
    ws.append([t.title])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append(t.headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    first = 3
    data_rows = [first + i for i, _ in enumerate(t.rows) if t.row_kinds.get(i, "data") == "data"]
    span = (min(data_rows), max(data_rows)) if data_rows else (first, first)
    total_row = next((first + i for i, k in t.row_kinds.items() if k == "total"), None)
    vat_row = next((first + i for i, k in t.row_kinds.items() if k == "vat"), None)
    for i, row in enumerate(t.rows):
        r = first + i
        kind = t.row_kinds.get(i, "data")
        for j, v in enumerate(row):
            cell = ws.cell(row=r, column=j + 1)
            col = get_column_letter(j + 1)
            f = _formula(kind, v, col, span, total_row, vat_row, t.vat_rate) if kind != "data" else None
            if f is not None:
                cell.value = f
                cell.number_format = KRW if isinstance(v, Won) else USD
            else:
                _write_value(cell, v)
            if kind != "data":
                cell.font = Font(bold=True)
    if t.note:
        ws.append([])
        ws.append([t.note])
    _widths(ws, t.headers)
    ws.freeze_panes = "B3"
    return ws


def _widths(ws: Any, headers: list[str]) -> None:
    from openpyxl.utils import get_column_letter

    for j, h in enumerate(headers, start=1):
        longest = max([len(str(h))] + [len(str(row[j - 1].value)) for row in ws.iter_rows(min_row=3, max_row=
                       min(ws.max_row, 60)) if len(row) >= j and row[j - 1].value is not None
                       and not str(row[j - 1].value).startswith("=")])
        ws.column_dimensions[get_column_letter(j)].width = max(10, min(longest + 2, 60))


def _service_chart(ws: Any, t: Table, env: str) -> None:
    from openpyxl.chart import BarChart, Reference

    n = sum(1 for i in range(len(t.rows)) if t.row_kinds.get(i, "data") == "data")
    if not n:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = f"{env}: estimate to date against actual"
    chart.add_data(Reference(ws, min_col=3, max_col=4, min_row=2, max_row=2 + n), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=3, max_row=2 + n))
    chart.x_axis.title, chart.y_axis.title = "service", "USD"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.height, chart.width = max(8, 0.6 * n + 3), 20
    ws.add_chart(chart, "J3")


def _burn_down(wb: Any, r: Report, e: EnvReport, used: set[str]) -> None:
    """Day by day: cumulative actual, the estimate's line, the budget and the forecast from the last actual day."""
    from openpyxl.chart import LineChart, Reference

    days = r.options.days
    ws = wb.create_sheet(_sheet_name(f"{e.name} burn-down"[:MAX_SHEET], used))
    ws.append(["day", "actual (cumulative)", "estimate", "budget", "forecast"])
    actual = {int(d[-2:]): v for d, v in e.daily}
    last = max(actual) if actual else None
    for d in range(1, days + 1):
        fc: float | None = None
        if e.forecast is not None and last is not None and d >= last:
            start = actual[last]
            fc = float(c(start + (e.forecast - start) * (d - last) / (days - last)) or 0) if days > last else \
                float(c(e.forecast) or 0)
        ws.append([d, float(c(actual[d]) or 0) if d in actual else None,
                   float(c(e.estimate_month * d * 24 / 730) or 0),
                   float(c(e.budget) or 0) if e.budget is not None else None, fc])
        for cell in ws[ws.max_row][1:]:
            cell.number_format = USD
    chart = LineChart()
    chart.title = f"{e.name}: spend through {r.options.month}"
    chart.add_data(Reference(ws, min_col=2, max_col=5, min_row=1, max_row=1 + days), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=1 + days))
    chart.x_axis.title, chart.y_axis.title = "day of the month", "cumulative USD (before VAT)"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.y_axis.number_format = '"$"#,##0'
    chart.height, chart.width = 10, 22
    ws.add_chart(chart, "G2")
    ws.column_dimensions["B"].width = 20
    ws.freeze_panes = "A2"


LINE_HEADERS = ["Service", "Item", "Per month (USD)", "Quantity", "Unit", "Unit price (USD)", "SKU", "Rate code",
                "Published", "Source", "Assumption"]


def _line_items(wb: Any, e: EnvReport, used: set[str]) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(_sheet_name(f"{e.name} line items"[:MAX_SHEET], used))
    ws.append([f"{e.name}: the estimate's priced lines, with the catalog's SKU and rate code"])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append(LINE_HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for li in e.line_items:
        ws.append([li.get("service"), li.get("component"), None, None, li.get("unit"), None, li.get("sku") or None,
                   li.get("rate_code") or None, li.get("published") or None, li.get("source") or None,
                   li.get("assumption") or None])
        row = ws[ws.max_row]
        for idx, key, fmt in ((2, "monthly_usd", USD), (3, "quantity", QUANTITY), (5, "unit_price_usd", USD_RATE)):
            v = li.get(key)
            if v is not None:
                row[idx].value, row[idx].number_format = float(Decimal(str(v))), fmt
    n = len(e.line_items)
    ws.append(["Total", None, f"=SUM(C3:C{2 + n})" if n else 0])
    ws.cell(row=ws.max_row, column=3).number_format = USD
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    _widths(ws, LINE_HEADERS)
    ws.freeze_panes = "C3"


def write(r: Report, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    ts = tables(r)
    envs = {e.name: e for e in r.environments}
    for t in ts:
        ws = _table_sheet(wb, t, used)
        if t is ts[0]:
            ws.append([])
            for e in r.environments:
                ws.append([headline(e, r.options.month)])
        env = t.title.split(":", 1)[0]
        if env in envs and t.title.endswith("per service"):
            _service_chart(ws, t, env)
    for e in r.environments:
        _burn_down(wb, r, e, used)
        _line_items(wb, e, used)
    with atomic_target(path) as tmp:
        wb.save(tmp)
