"""Small inline SVG charts for the HTML report (no scripts, no external files, print-friendly)."""

from __future__ import annotations

from decimal import Decimal
from html import escape

PALETTE = ["#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2"]


def bars(title: str, items: list[tuple[str, Decimal]], width: int = 640) -> str:
    if not items:
        return ""
    top = max((float(v) for _, v in items), default=0) or 1
    row, label_w = 22, 170
    h = 30 + row * len(items)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" role="img" '
             f'aria-label="{escape(title)}"><text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    for i, (label, v) in enumerate(items):
        y = 26 + i * row
        w = (width - label_w - 90) * float(v) / top
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 0):.1f}" height="14" fill="{PALETTE[0]}"/>'
                     f'<text x="{label_w + max(w, 0) + 4:.1f}" y="{y + 14}" font-size="12">${v:,.2f}</text>')
    return "".join(parts) + "</svg>"


def paired(title: str, items: list[tuple[str, Decimal, Decimal | None]], names: tuple[str, str],
           width: int = 640) -> str:
    if not items:
        return ""
    top = max(max(float(a), float(b or 0)) for _, a, b in items) or 1
    row, label_w = 30, 170
    h = 50 + row * len(items)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" role="img" '
             f'aria-label="{escape(title)}"><text x="0" y="16" font-weight="bold">{escape(title)}</text>'
             f'<rect x="{label_w}" y="24" width="10" height="10" fill="{PALETTE[0]}"/>'
             f'<text x="{label_w + 14}" y="33" font-size="11">{escape(names[0])}</text>'
             f'<rect x="{label_w + 120}" y="24" width="10" height="10" fill="{PALETTE[1]}"/>'
             f'<text x="{label_w + 134}" y="33" font-size="11">{escape(names[1])}</text>']
    for i, (label, a, b) in enumerate(items):
        y = 44 + i * row
        wa = (width - label_w - 90) * float(a) / top
        wb = (width - label_w - 90) * float(b or 0) / top
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{wa:.1f}" height="11" fill="{PALETTE[0]}"/>'
                     f'<rect x="{label_w}" y="{y + 12}" width="{wb:.1f}" height="11" fill="{PALETTE[1]}"/>')
    return "".join(parts) + "</svg>"


def burn_down(title: str, days: int, daily: list[tuple[str, Decimal]], budget: Decimal | None,
              estimate: Decimal, width: int = 640, height: int = 240) -> str:
    """Cumulative actual spend through the month against the budget and the estimate's straight line."""
    top = max([float(estimate)] + [float(v) for _, v in daily] + ([float(budget)] if budget else [])) or 1
    left, bottom, plot_w, plot_h = 60, height - 30, width - 80, height - 60

    def xy(day: float, usd: float) -> str:
        return f"{left + plot_w * day / days:.1f},{bottom - plot_h * usd / top:.1f}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}"><text x="0" y="16" font-weight="bold">{escape(title)}</text>',
             f'<line x1="{left}" y1="{bottom}" x2="{left + plot_w}" y2="{bottom}" stroke="#999"/>',
             f'<text x="{left}" y="{bottom + 16}" font-size="11">day 0</text>'
             f'<text x="{left + plot_w - 30}" y="{bottom + 16}" font-size="11">day {days}</text>',
             f'<polyline fill="none" stroke="{PALETTE[2]}" stroke-dasharray="5,3" points="{xy(0, 0)} '
             f'{xy(days, float(estimate))}"/>',
             f'<text x="{left + plot_w + 2}" y="{bottom - plot_h * float(estimate) / top:.1f}" '
             f'font-size="10">estimate</text>']
    if budget:
        y = bottom - plot_h * float(budget) / top
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{PALETTE[3]}"/>'
                     f'<text x="{left}" y="{y - 3:.1f}" font-size="10">budget ${budget:,.2f}</text>')
    if daily:
        pts = " ".join(xy(int(d[-2:]), float(v)) for d, v in daily)
        parts.append(f'<polyline fill="none" stroke="{PALETTE[0]}" stroke-width="2" points="{xy(0, 0)} {pts}"/>')
    return "".join(parts) + "</svg>"
