"""Text renderings of estimates and catalog queries (table via rich, JSON, CSV, Markdown). No arithmetic here
beyond grouping what the library computed."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from stackcost.catalog import PriceRecord
from stackcost.estimate import Estimate, LineItem
from stackcost.services.base import n
from stackcost.util import plain

CATALOG_SCHEMA_VERSION = 1


def usd(value: Decimal) -> str:
    return f"${value:,.2f}"


def price(value: Decimal) -> str:
    return plain(value)


# -- estimate -------------------------------------------------------------------------------------------------

def estimate_json(est: Estimate) -> str:
    return json.dumps(est.to_json(), indent=2, ensure_ascii=False)


_CSV_FIELDS = ["service", "component", "usage_type", "quantity", "unit", "unit_price_usd", "monthly_usd",
               "monthly_usd_low", "monthly_usd_high", "usage_based", "sku", "rate_code", "published", "source",
               "assumption", "free_quantity", "unpriced", "looked_for"]


def estimate_csv(est: Estimate) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["environment", *_CSV_FIELDS], lineterminator="\n")
    w.writeheader()
    for item in est.items:
        w.writerow({"environment": est.environment, **item.to_json()})
    return buf.getvalue()


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def estimate_markdown(est: Estimate) -> str:
    lines = [
        f"# {est.environment} — estimated monthly cost ({est.region})",
        "",
        "| Service | Component | Quantity | Free | Unit | Unit price (USD) | Monthly (USD) | Basis |",
        "|---|---|--:|--:|---|--:|--:|---|",
    ]
    for item in est.items:
        lines.append(f"| {item.service} | {_md_escape(item.component)} | {plain(item.quantity)} | "
                     f"{plain(item.free_quantity) if item.free_quantity else ''} | {item.unit} | "
                     f"{price(item.unit_price_usd)} | {item.monthly_usd:,.2f} | {_md_escape(item.assumption)} |")
    lines += [
        f"| **Total** | | | | | | **{est.total:,.2f}** | low {est.total_low:,.2f} – high {est.total_high:,.2f} |",
        "",
        f"Per year: {usd(est.total * 12)}. Catalog prices published {est.published_min} to {est.published_max}.",
    ]
    if est.assumptions:
        lines += ["", "Assumptions:", *[f"- {a}" for a in est.assumptions]]
    return "\n".join(lines) + "\n"


def estimate_table(est: Estimate) -> Any:
    from rich.table import Table

    table = Table(title=f"{est.environment} — estimated monthly cost, {est.region} (USD)", title_justify="left",
                  show_lines=False)
    for col, just in (("Service", "left"), ("Component", "left"), ("Quantity", "right"), ("Free", "right"),
                      ("Unit", "left"),
                      ("Unit price", "right"), ("Monthly", "right"), ("Basis", "left")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    groups: dict[str, list[LineItem]] = {}
    for item in est.items:
        groups.setdefault(item.service, []).append(item)
    for service, items in groups.items():
        for i, item in enumerate(items):
            table.add_row(service if i == 0 else "", item.component, n(item.quantity),
                          n(item.free_quantity) if item.free_quantity else "", item.unit,
                          price(item.unit_price_usd), f"{item.monthly_usd:,.2f}", item.assumption)
        subtotal = sum((i.monthly_usd for i in items), Decimal(0))
        table.add_row("", f"[dim]{service} subtotal[/dim]", "", "", "", "", f"[bold]{subtotal:,.2f}[/bold]", "",
                      end_section=True)
    table.add_row("[bold]Total per month[/bold]", "", "", "", "", "", f"[bold]{est.total:,.2f}[/bold]",
                  f"range {usd(est.total_low)} – {usd(est.total_high)} (usage low/high)")
    table.add_row("[bold]Total per year[/bold]", "", "", "", "", "", f"[bold]{est.total * 12:,.2f}[/bold]", "")
    return table


def side_by_side(estimates: list[Estimate]) -> Any:
    from rich.table import Table

    table = Table(title="Estimated monthly cost per environment (USD)", title_justify="left")
    table.add_column("Service")
    for est in estimates:
        table.add_column(est.environment, justify="right")
    services: list[str] = []
    for est in estimates:
        services += [s for s in est.by_service() if s not in services]
    for service in services:
        table.add_row(service, *[f"{e.by_service().get(service, Decimal(0)):,.2f}" for e in estimates])
    table.add_row("[bold]Total per month[/bold]", *[f"[bold]{e.total:,.2f}[/bold]" for e in estimates],
                  end_section=True)
    table.add_row("low – high", *[f"{e.total_low:,.2f} – {e.total_high:,.2f}" for e in estimates])
    table.add_row("Total per year", *[f"{e.total * 12:,.2f}" for e in estimates])
    return table


def compare_rows(a: Estimate, b: Estimate) -> list[tuple[str, str, Decimal, Decimal]]:
    """(service, component, monthly in a, monthly in b) for every line of either."""
    def key(i: LineItem) -> tuple[str, str]:
        return i.service, i.component

    left = {key(i): i.monthly_usd for i in a.items}
    right = {key(i): i.monthly_usd for i in b.items}
    keys = list(left) + [k for k in right if k not in left]
    return [(s, c, left.get((s, c), Decimal(0)), right.get((s, c), Decimal(0))) for s, c in keys]


def compare_table(a: Estimate, b: Estimate, label_a: str, label_b: str) -> Any:
    from rich.table import Table

    table = Table(title=f"{label_a} vs {label_b} — monthly USD", title_justify="left")
    for col, just in (("Service", "left"), ("Component", "left"), (label_a, "right"), (label_b, "right"),
                      ("Difference", "right")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for service, component, x, y in compare_rows(a, b):
        table.add_row(service, component, f"{x:,.2f}", f"{y:,.2f}", f"{y - x:+,.2f}")
    table.add_row("[bold]Total[/bold]", "", f"{a.total:,.2f}", f"{b.total:,.2f}", f"{b.total - a.total:+,.2f}")
    return table


# -- catalog --------------------------------------------------------------------------------------------------

def record_json(rec: PriceRecord) -> dict[str, Any]:
    return {
        "service": rec.service, "service_code": rec.service_code, "offer_code": rec.offer_code,
        "usage_type": rec.usage_type, "description": rec.description, "term": rec.term,
        "lease_years": rec.lease_years, "purchase_option": rec.purchase_option, "unit": rec.unit,
        "price_usd": rec.price_usd, "upfront_usd": rec.upfront_usd, "tier_start": rec.tier_start,
        "tier_end": rec.tier_end, "attributes": rec.attributes, "sku": rec.sku, "rate_code": rec.rate_code,
        "region": rec.region, "confidence": rec.confidence, "published": rec.published, "source": rec.source,
    }


def search_json(records: list[PriceRecord], query: str) -> str:
    return json.dumps({"schema_version": CATALOG_SCHEMA_VERSION, "query": query, "count": len(records),
                       "records": [record_json(r) for r in records]}, indent=2, ensure_ascii=False)


def search_table(records: list[PriceRecord], query: str) -> Any:
    from rich.table import Table

    table = Table(title=f"{len(records)} prices matching {query!r}", title_justify="left")
    for col in ("Usage type / description", "Term", "Option", "Price (USD)", "Unit", "Upfront (USD)", "Rate code",
                "Published"):
        table.add_column(col, justify="right" if "USD" in col else "left")
    for r in records:
        term = r.term + (f" {r.lease_years}yr" if r.lease_years else "")
        where = r.usage_type or r.description
        if r.region != records[0].region or r.confidence == "reference":
            where += f" [{r.region}, reference]"
        table.add_row(where, term, r.purchase_option, r.price_usd, r.unit, r.upfront_usd or "",
                      r.rate_code or r.sku, r.published or r.published_note[:20])
    return table


def refresh_table(diff: Any) -> Any:
    """The refresh diff: per offer, records before/after and what changed; then the largest price changes."""
    from rich.console import Group
    from rich.table import Table

    t = Table(title="Catalog refresh: changes per offer", title_justify="left")
    for col in ("Offer", "Before", "After", "Added", "Removed", "Changed", "Same", "Kept (no rate code)",
                "Skipped (not modelled)"):
        t.add_column(col, justify="left" if col == "Offer" else "right")
    for offer, d in sorted(diff.offers.items()):
        t.add_row(offer, str(d.before), str(d.after), str(d.added), str(d.removed), str(d.changed), str(d.unchanged),
                  str(d.kept_unmatched), str(d.skipped))
    parts: list[Any] = [t]
    changes = diff.largest_changes()
    if changes:
        c = Table(title="Largest price changes", title_justify="left")
        for col in ("Price", "Old USD", "New USD", "Change"):
            c.add_column(col, justify="left" if col == "Price" else "right")
        for what, old, new, pct in changes:
            c.add_row(what, old, new, f"{Decimal(pct):+.2f}%")
        parts.append(c)
    return Group(*parts)
