"""Estimates as a terminal table, JSON, CSV and Markdown; several environments side by side; two estimates
compared line by line (paired by a stable key, as `cost diff` pairs them)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from stackcost.estimate import MONTHS_PER_YEAR, Estimate, LineItem
from stackcost.money import View, krw, usd
from stackcost.render.provenance import sentence
from stackcost.render.table import Col, Styled, table
from stackcost.services.base import n
from stackcost.util import plain

UNPRICED = "unpriced"


def _amount(item: LineItem) -> str:
    return UNPRICED if item.unpriced else f"{item.monthly_usd:,.2f}"


def _totals_note(est: Estimate) -> str:
    missing = len(est.unpriced)
    return f" (excludes {missing} unpriced item{'s' if missing != 1 else ''})" if missing else ""


# -- JSON / CSV / Markdown ------------------------------------------------------------------------------------

def to_json(est: Estimate, view: View | None = None) -> str:
    data = est.to_json()
    if view is not None:
        data.update(view.to_json(est.total))
    return json.dumps(data, indent=2, ensure_ascii=False)


def many_json(ests: list[Estimate], view: View | None = None) -> str:
    docs = []
    for e in ests:
        d = e.to_json()
        if view is not None:
            d.update(view.to_json(e.total))
        docs.append(d)
    return json.dumps(docs, indent=2, ensure_ascii=False)


CSV_FIELDS = ["service", "component", "usage_type", "quantity", "unit", "unit_price_usd", "monthly_usd",
              "monthly_usd_low", "monthly_usd_high", "usage_based", "sku", "rate_code", "published", "source",
              "assumption", "free_quantity", "unpriced", "looked_for"]


def to_csv(ests: list[Estimate]) -> str:
    """One CSV (one header) for one or several environments."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["environment", *CSV_FIELDS], lineterminator="\n")
    w.writeheader()
    for est in ests:
        for item in est.items:
            w.writerow({"environment": est.environment, **item.to_json()})
    return buf.getvalue()


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(est: Estimate, view: View | None = None) -> str:
    lines = [
        f"# {est.environment} — estimated monthly cost ({est.region})",
        "",
        "| Service | Component | Quantity | Free | Unit | Unit price (USD) | Monthly (USD) | Basis |",
        "|---|---|--:|--:|---|--:|--:|---|",
    ]
    for item in est.items:
        price = "—" if item.unpriced else plain(item.unit_price_usd)
        basis = item.assumption + (f" — no price in the catalog for {item.looked_for}" if item.unpriced else "")
        lines.append(f"| {item.service} | {_md(item.component)} | {plain(item.quantity)} | "
                     f"{plain(item.free_quantity) if item.free_quantity else ''} | {item.unit} | {price} | "
                     f"{_amount(item)} | {_md(basis)} |")
    lines += [
        f"| **Total** | | | | | | **{est.total:,.2f}** | low {est.total_low:,.2f} – high {est.total_high:,.2f}"
        f"{_totals_note(est)} |",
        "",
        f"Per year: {usd(est.total * MONTHS_PER_YEAR)}.",
        *view_lines(est.total, view),
        "",
        sentence(est.provenance) if est.provenance else "",
    ]
    if est.assumptions:
        lines += ["", "Assumptions:", *[f"- {a}" for a in est.assumptions]]
    return "\n".join(lines) + "\n"


def view_lines(total: Decimal, view: View | None) -> list[str]:
    if view is None:
        return []
    out = []
    gross = total
    if view.vat is not None:
        vat = view.vat_of(total)
        gross = total + vat
        out.append(f"VAT {plain(view.vat * 100)} %: {usd(vat)}; total with VAT {usd(gross)} per month.")
    if view.krw_rate is not None:
        out.append(f"In KRW: {krw(gross, view.krw_rate)} per month{' with VAT' if view.vat is not None else ''} — "
                   f"{view.krw_note()}.")
    return out


# -- terminal -------------------------------------------------------------------------------------------------

def _wide_enough(width: int) -> bool:
    return width >= 160


def to_table(est: Estimate, width: int, view: View | None = None, wide: bool = False) -> list[Any]:
    """Renderables for the console: the table, then what did not fit in it (basis of each line), totals,
    currency, provenance."""

    show_basis = wide or _wide_enough(width)
    cols = [Col("Service", min_width=8, words=True), Col("Component", min_width=16), Col("Quantity", numeric=True),
            Col("Free", numeric=True, drop=3), Col("Unit", min_width=8, drop=2, words=True),
            Col("Unit price", numeric=True, drop=4), Col("Monthly", numeric=True)]
    if view is not None and view.krw:
        cols.append(Col("KRW", numeric=True, drop=5))
    if show_basis:
        cols.append(Col("Basis", min_width=30, drop=9))
    rows: list[list[Any]] = []
    ends: set[int] = set()
    groups: dict[str, list[LineItem]] = {}
    for item in est.items:
        groups.setdefault(item.service, []).append(item)
    for service, items in groups.items():
        for i, item in enumerate(items):
            row: list[Any] = [service if i == 0 else "", item.component, n(item.quantity),
                              n(item.free_quantity) if item.free_quantity else "", item.unit,
                              "—" if item.unpriced else plain(item.unit_price_usd),
                              Styled(UNPRICED, style="yellow") if item.unpriced else f"{item.monthly_usd:,.2f}"]
            if view is not None and view.krw_rate is not None:
                row.append("—" if item.unpriced else krw(item.monthly_usd, view.krw_rate))
            if show_basis:
                row.append(item.assumption)
            rows.append(row)
        subtotal = sum((i.monthly_usd for i in items), Decimal(0))
        row = ["", Styled(f"{service} subtotal", style="dim"), "", "", "", "", Styled(f"{subtotal:,.2f}", style="bold")]
        if view is not None and view.krw_rate is not None:
            row.append(krw(subtotal, view.krw_rate))
        if show_basis:
            row.append("")
        rows.append(row)
        ends.add(len(rows) - 1)
    total_row = ["", Styled("Total per month", style="bold"), "", "", "", "", Styled(f"{est.total:,.2f}", style="bold")]
    year_row = ["", Styled("Total per year", style="bold"), "", "", "", "",
                Styled(f"{est.total * MONTHS_PER_YEAR:,.2f}", style="bold")]
    if view is not None and view.krw_rate is not None:
        total_row.append(krw(est.total, view.krw_rate))
        year_row.append(krw(est.total * MONTHS_PER_YEAR, view.krw_rate))
    if show_basis:
        total_row.append(f"range {usd(est.total_low)} – {usd(est.total_high)} (usage low/high)")
        year_row.append("")
    rows += [total_row, year_row]
    t, _ = table(cols, rows, width, title=f"{est.environment} — estimated monthly cost, {est.region} (USD)",
                 sections=ends)
    out: list[Any] = [t]
    if not show_basis:
        out.append(Styled(f"Range {usd(est.total_low)} – {usd(est.total_high)} a month (usage low/high). "
                        "The basis of each line: --wide or --format markdown.", style="dim"))
    if est.unpriced:
        out.append(Styled(f"The total excludes {len(est.unpriced)} unpriced item(s): "
                        + "; ".join(f"{i.service} {i.component} (looked for {i.looked_for})" for i in est.unpriced),
                        style="yellow"))
    out += [Styled(line) for line in view_lines(est.total, view)]
    if est.provenance:
        out.append(Styled(sentence(est.provenance), style="dim"))
    out += [Styled(f"assumption: {a}", style="dim") for a in est.assumptions]
    return out


def side_by_side(ests: list[Estimate], width: int, view: View | None = None) -> list[Any]:

    cols = [Col("Service", min_width=15, words=True), *[Col(e.environment, numeric=True) for e in ests],
            Col("All", numeric=True)]
    services: list[str] = []
    for e in ests:
        services += [s for s in e.by_service() if s not in services]
    rows: list[list[Any]] = []
    for service in services:
        amounts = [e.by_service().get(service, Decimal(0)) for e in ests]
        rows.append([service, *[f"{a:,.2f}" for a in amounts], f"{sum(amounts, Decimal(0)):,.2f}"])
    grand = sum((e.total for e in ests), Decimal(0))
    rows.append([Styled("Total per month", style="bold"), *[Styled(f"{e.total:,.2f}", style="bold") for e in ests],
                 Styled(f"{grand:,.2f}", style="bold")])
    for label, attr in (("low (usage)", "total_low"), ("high (usage)", "total_high")):
        values = [getattr(e, attr) for e in ests]
        rows.append([label, *[f"{v:,.2f}" for v in values], f"{sum(values, Decimal(0)):,.2f}"])
    rows.append(["Total per year", *[f"{e.total * MONTHS_PER_YEAR:,.2f}" for e in ests],
                 f"{grand * MONTHS_PER_YEAR:,.2f}"])
    t, _ = table(cols, rows, width, title="Estimated monthly cost per environment (USD)", sections={len(services) - 1})
    out: list[Any] = [t]
    missing = sum(len(e.unpriced) for e in ests)
    if missing:
        out.append(Styled(f"The totals exclude {missing} unpriced item(s) (see `cost estimate ENV`).", style="yellow"))
    out += [Styled(line) for line in view_lines(grand, view)]
    if ests and ests[0].provenance:
        out.append(Styled(sentence(ests[0].provenance), style="dim"))
    return out


def many_markdown(ests: list[Estimate], view: View | None = None) -> str:
    body = "\n".join(to_markdown(e, view) for e in ests)
    grand = sum((e.total for e in ests), Decimal(0))
    return body + f"\n**All environments: {usd(grand)} per month, {usd(grand * MONTHS_PER_YEAR)} per year.**\n"


# -- compare --------------------------------------------------------------------------------------------------

def compare_pairs(a: Estimate, b: Estimate) -> list[tuple[str, LineItem | None, LineItem | None]]:
    """(stable key, line in a, line in b) for every line of either, paired as `cost diff` pairs them: a class or
    count that differs is one line that changed, not a removal and an addition."""
    from stackcost.diff.core import stable_key

    def keyed(items: list[LineItem]) -> dict[str, LineItem]:
        out: dict[str, LineItem] = {}
        for item in items:
            base = key = stable_key(item.service, item.component)
            k = 1
            while key in out:
                k += 1
                key = f"{base}#{k}"
            out[key] = item
        return out

    left, right = keyed(a.items), keyed(b.items)
    keys = list(left) + [k for k in right if k not in left]
    return [(k, left.get(k), right.get(k)) for k in keys]


def _side(item: LineItem | None) -> str:
    if item is None:
        return "—"
    return UNPRICED if item.unpriced else f"{item.monthly_usd:,.2f}"


def _what(x: LineItem | None, y: LineItem | None) -> str:
    if x is not None and y is not None and x.component != y.component:
        return f"{x.component} → {y.component}"
    line = y or x
    return line.component if line is not None else ""


def compare_json(a: Estimate, b: Estimate, label_a: str, label_b: str, view: View | None = None) -> str:
    changes = []
    for key, x, y in compare_pairs(a, b):
        def amt(i: LineItem | None) -> str | None:
            return None if i is not None and i.unpriced else str(i.monthly_usd if i else Decimal("0.00"))

        status = "added" if x is None else "removed" if y is None else "same" if \
            (x.component, x.monthly_usd) == (y.component, y.monthly_usd) else "changed"
        delta = None if amt(x) is None or amt(y) is None else str(Decimal(amt(y) or 0) - Decimal(amt(x) or 0))
        changes.append({"key": key, "service": (y or x).service if (y or x) else "",  # type: ignore[union-attr]
                        "a_component": x.component if x else None, "b_component": y.component if y else None,
                        "status": status, "a_usd": amt(x), "b_usd": amt(y), "delta_usd": delta})
    doc: dict[str, Any] = {"a": label_a, "b": label_b, "region_a": a.region, "region_b": b.region,
                           "a_monthly_usd": str(a.total), "b_monthly_usd": str(b.total),
                           "delta_usd": str(b.total - a.total), "lines": changes,
                           "unpriced_count": len(a.unpriced) + len(b.unpriced)}
    if view is not None:
        doc["a_view"], doc["b_view"] = view.to_json(a.total), view.to_json(b.total)
    return json.dumps(doc, indent=2, ensure_ascii=False)


def compare_markdown(a: Estimate, b: Estimate, label_a: str, label_b: str) -> str:
    lines = [f"# {label_a} vs {label_b} — monthly USD", "",
             f"| Service | Line | {_md(label_a)} | {_md(label_b)} | Difference |", "|---|---|--:|--:|--:|"]
    for _, x, y in compare_pairs(a, b):
        d = "" if (x and x.unpriced) or (y and y.unpriced) else \
            f"{(y.monthly_usd if y else 0) - (x.monthly_usd if x else 0):+,.2f}"
        lines.append(f"| {(y or x).service if (y or x) else ''} | {_md(_what(x, y))} | {_side(x)} | "  # type: ignore[union-attr]
                     f"{_side(y)} | {d} |")
    lines.append(f"| **Total** | | **{a.total:,.2f}** | **{b.total:,.2f}** | **{b.total - a.total:+,.2f}** |")
    return "\n".join(lines) + "\n"


def compare_table(a: Estimate, b: Estimate, label_a: str, label_b: str, width: int,
                  view: View | None = None) -> list[Any]:

    cols = [Col("Service", min_width=8, words=True), Col("Line", min_width=18), Col(label_a, numeric=True),
            Col(label_b, numeric=True), Col("Difference", numeric=True)]
    rows: list[list[Any]] = []
    for _, x, y in compare_pairs(a, b):
        if (x and x.unpriced) or (y and y.unpriced):
            d = UNPRICED
        else:
            d = f"{(y.monthly_usd if y else Decimal(0)) - (x.monthly_usd if x else Decimal(0)):+,.2f}"
        rows.append([(y or x).service if (y or x) else "", _what(x, y), _side(x), _side(y), d])  # type: ignore[union-attr]
    rows.append([Styled("Total", style="bold"), "", f"{a.total:,.2f}", f"{b.total:,.2f}", f"{b.total - a.total:+,.2f}"])
    t, _ = table(cols, rows, width, title=f"{label_a} vs {label_b} — monthly USD", sections={len(rows) - 2})
    out: list[Any] = [t, Styled("— : the line does not exist on that side.", style="dim")]
    for label, e in ((label_a, a), (label_b, b)):
        if e.unpriced:
            out.append(Styled(f"{label}: the total excludes {len(e.unpriced)} unpriced item(s)", style="yellow"))
    if view is not None:
        out += [Styled(f"{label_a}: {line}") for line in view_lines(a.total, view)]
        out += [Styled(f"{label_b}: {line}") for line in view_lines(b.total, view)]
    if a.provenance:
        out.append(Styled(sentence(a.provenance), style="dim"))
    return out
