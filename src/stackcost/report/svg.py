"""Small inline SVG charts for the HTML report (no scripts, no external files, print-friendly)."""

from __future__ import annotations

from decimal import Decimal
from html import escape

PALETTE = ["#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2"]


def bars(title: str, items: list[tuple[str, Decimal]], width: int = 720) -> str:
    if not items:
        return ""
    top = max((float(v) for _, v in items), default=0) or 1
    row, label_w = 22, 170
    h = 30 + row * len(items)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" viewBox="0 0 {width} {h}" '
             f'role="img" '
             f'aria-label="{escape(title)}"><text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    for i, (label, v) in enumerate(items):
        y = 26 + i * row
        w = (width - label_w - 90) * float(v) / top
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 0):.1f}" height="14" fill="{PALETTE[0]}"/>'
                     f'<text x="{label_w + max(w, 0) + 4:.1f}" y="{y + 14}" font-size="12">${v:,.2f}</text>')
    return "".join(parts) + "</svg>"


def paired(title: str, items: list[tuple[str, Decimal, Decimal | None]], names: tuple[str, str],
           width: int = 720) -> str:
    if not items:
        return ""
    top = max(max(float(a), float(b or 0)) for _, a, b in items) or 1
    row, label_w = 30, 170
    h = 50 + row * len(items)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" viewBox="0 0 {width} {h}" '
             f'role="img" '
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


def _nice_step(top: float) -> float:
    """A round tick step giving 4-6 ticks up to `top`."""
    raw = top / 5 or 1
    mag = 10.0 ** len(str(int(raw))) / 10
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)


def burn_down(title: str, days: int, daily: list[tuple[str, Decimal]], budget: Decimal | None,
              estimate: Decimal, forecast: Decimal | None = None,
              width: int = 720, height: int = 300) -> str:
    """Cumulative spend through the month: budget (flat), estimate (the 730-hour month's hourly rate, so the line
    ends at its share of a month this long), actual (per day) and forecast (from the last actual to month end).
    Both axes are labelled; the legend sits above the plot so no label is clipped at the right edge."""
    est_end = float(estimate) * days * 24 / 730
    values = [est_end] + [float(v) for _, v in daily] + ([float(budget)] if budget else []) + \
        ([float(forecast)] if forecast is not None else [])
    step = _nice_step(max(values) or 1)
    top = step * (int(max(values) / step) + 1)
    left, right, plot_top, bottom = 78, 16, 58, height - 44
    plot_w, plot_h = width - left - right, bottom - plot_top

    def x(day: float) -> float:
        return left + plot_w * day / days

    def y(usd: float) -> float:
        return bottom - plot_h * usd / top

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} '
             f'{height}" role="img" aria-label="{escape(title)}" font-family="system-ui,sans-serif">'
             f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    legend = [("budget", PALETTE[3], ""), ("estimate", PALETTE[2], "5,3"), ("actual", PALETTE[0], ""),
              ("forecast", PALETTE[1], "2,3")]
    lx = left
    for name, colour, dash in legend:
        parts.append(f'<line x1="{lx}" y1="34" x2="{lx + 22}" y2="34" stroke="{colour}" stroke-width="2.5"'
                     + (f' stroke-dasharray="{dash}"' if dash else "") + "/>"
                     f'<text x="{lx + 27}" y="38" font-size="12">{name}</text>')
        lx += 34 + 8 * len(name)
    tick = 0.0
    while tick <= top + 1e-9:
        parts.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_w}" y2="{y(tick):.1f}" '
                     f'stroke="#e3e3e3"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="11" '
                     f'text-anchor="end">${tick:,.0f}</text>')
        tick += step
    for d in sorted({1, *range(5, days + 1, 5), days}):
        parts.append(f'<line x1="{x(d):.1f}" y1="{bottom}" x2="{x(d):.1f}" y2="{bottom + 4}" stroke="#999"/>'
                     f'<text x="{x(d):.1f}" y="{bottom + 17}" font-size="11" text-anchor="middle">{d}</text>')
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{left + plot_w}" y2="{bottom}" stroke="#999"/>'
                 f'<line x1="{left}" y1="{plot_top}" x2="{left}" y2="{bottom}" stroke="#999"/>'
                 f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" font-size="12" text-anchor="middle">'
                 f'day of the month</text>'
                 f'<text transform="translate(14,{plot_top + plot_h / 2:.1f}) rotate(-90)" font-size="12" '
                 f'text-anchor="middle">cumulative USD (before VAT)</text>')
    if budget:
        parts.append(f'<line x1="{left}" y1="{y(float(budget)):.1f}" x2="{left + plot_w}" '
                     f'y2="{y(float(budget)):.1f}" stroke="{PALETTE[3]}" stroke-width="2"/>'
                     f'<text x="{left + 4}" y="{y(float(budget)) - 4:.1f}" font-size="11" fill="{PALETTE[3]}">'
                     f'budget ${budget:,.2f}</text>')
    parts.append(f'<polyline fill="none" stroke="{PALETTE[2]}" stroke-width="2" stroke-dasharray="5,3" '
                 f'points="{x(0):.1f},{y(0):.1f} {x(days):.1f},{y(est_end):.1f}"/>')
    if daily:
        pts = " ".join(f"{x(int(d[-2:])):.1f},{y(float(v)):.1f}" for d, v in daily)
        parts.append(f'<polyline fill="none" stroke="{PALETTE[0]}" stroke-width="2.5" '
                     f'points="{x(0):.1f},{y(0):.1f} {pts}"/>')
        if forecast is not None:
            last_day, last = int(daily[-1][0][-2:]), float(daily[-1][1])
            parts.append(f'<polyline fill="none" stroke="{PALETTE[1]}" stroke-width="2.5" stroke-dasharray="2,3" '
                         f'points="{x(last_day):.1f},{y(last):.1f} {x(days):.1f},{y(float(forecast)):.1f}"/>'
                         f'<circle cx="{x(days):.1f}" cy="{y(float(forecast)):.1f}" r="3.5" fill="{PALETTE[1]}"/>'
                         f'<text x="{x(days) - 4:.1f}" y="{y(float(forecast)) - 8:.1f}" font-size="11" '
                         f'text-anchor="end" fill="{PALETTE[1]}">forecast ${forecast:,.2f}</text>')
    return "".join(parts) + "</svg>"
