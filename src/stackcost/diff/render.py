"""A Diff as text, JSON, Markdown or a GitHub pull-request comment. No arithmetic beyond what the Diff computed."""

from __future__ import annotations

import json
from decimal import Decimal

from stackcost.diff.core import Change, Diff, EnvironmentDiff

MARKER = "<!-- stackcost-cost-diff -->"  # the workflow finds and updates its own comment by this line
TOP_CHANGES = 5


def usd(v: Decimal | None) -> str:
    return "not priced" if v is None else f"${v:,.2f}"


def signed(v: Decimal | None) -> str:
    if v is None:
        return "not priced"
    return f"{'+' if v > 0 else '−' if v < 0 else '±'}${abs(v):,.2f}"


def pct(v: Decimal | None) -> str:
    return "new" if v is None else f"{'+' if v > 0 else ''}{v}%"


def delta(e: EnvironmentDiff) -> str:
    """The priced delta, and how many resources it leaves out (a NOT PRICED resource is never counted as $0)."""
    n = len(e.unpriced)
    return signed(e.delta_usd) + (f" + {n} not priced" if n else "")


def side(c: Change, which: str) -> str:
    """An amount cell; the side where a NOT PRICED resource does not exist shows a dash, not a number."""
    absent = c.status == ("added" if which == "before" else "removed")
    if c.unpriced and absent:
        return "—"
    return usd(c.before_usd if which == "before" else c.after_usd)


def band(e: EnvironmentDiff) -> str:
    return f"{signed(e.delta_low_usd)} … {signed(e.delta_high_usd)}"


def what(c: Change) -> str:
    """The line, with what changed in it: `db.t3.medium Multi-AZ instance → db.m7g.large Multi-AZ instance`."""
    if c.status == "changed" and c.before_component and c.before_component != c.component:
        return f"{c.before_component} → {c.component}"
    return c.component + (f" ({c.unpriced})" if c.unpriced else "")


def _catalog(d: Diff) -> str:
    span = d.published_min if d.published_min == d.published_max else f"{d.published_min} to {d.published_max}"
    return f"AWS list prices for {d.region} from the stackcost catalog, published {span}"


# -- JSON -----------------------------------------------------------------------------------------------------

def to_json(d: Diff) -> str:
    return json.dumps(d.to_json(), indent=2, ensure_ascii=False)


# -- text -----------------------------------------------------------------------------------------------------

def to_text(d: Diff) -> str:
    out = [f"cost diff {d.base} → {d.head}", f"Prices: {_catalog(d)}.", ""]
    for e in d.environments:
        out.append(f"{e.name}: {usd(e.before_usd)} → {usd(e.after_usd)} per month, {delta(e)} "
                   f"({pct(e.delta_pct)}); delta with usage low…high: {band(e)}")
        if not e.changes:
            out.append("  no change")
        rows = [(c.status, c.service, what(c), side(c, "before"), side(c, "after"), signed(c.delta_usd))
                for c in e.changes]
        widths = [max((len(r[i]) for r in rows), default=0) for i in range(6)]
        for r in rows:
            out.append("  " + "  ".join(x.rjust(w) if i >= 3 else x.ljust(w)
                                        for i, (x, w) in enumerate(zip(r, widths, strict=True))).rstrip())
        out += _bullets("usage assumptions changed", e.assumptions, "  ")
        out += _bullets("commitments", e.commitments, "  ")
        out.append("")
    out += _bullets("notes", d.notes, "")
    return "\n".join(out).rstrip() + "\n"


def _bullets(title: str, items: list[str], pad: str) -> list[str]:
    return [f"{pad}{title}:", *[f"{pad}  - {x}" for x in items]] if items else []


# -- Markdown -------------------------------------------------------------------------------------------------

def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def summary_table(d: Diff) -> list[str]:
    rows = ["| Environment | Before | After | Change | % | Change with usage low … high |",
            "|---|--:|--:|--:|--:|--:|"]
    for e in d.environments:
        rows.append(f"| {_esc(e.name)} | {usd(e.before_usd)} | {usd(e.after_usd)} | **{delta(e)}** | "
                    f"{pct(e.delta_pct)} | {band(e)} |")
    return rows


def basis(c: Change) -> str:
    """How the line's amount was reached (after the change, or before it for a removal)."""
    item = c.after or c.before
    return item.assumption if item else ""


def changes_table(e: EnvironmentDiff) -> list[str]:
    rows = ["| Status | Service | Line | Before | After | Change | Basis |", "|---|---|---|--:|--:|--:|---|"]
    for c in e.changes:
        rows.append(f"| {c.status} | {_esc(c.service)} | {_esc(what(c))} | {side(c, 'before')} | "
                    f"{side(c, 'after')} | {signed(c.delta_usd)} | {_esc(basis(c))} |")
    return rows


def assumptions(d: Diff) -> list[str]:
    """What the numbers assume: the conventions, then per environment the usage that changed and the defaults."""
    out = ["730 hours a month; AWS on-demand list prices, before any reservation or Savings Plan",
           "the band (low … high) applies the sizing's low and high usage to both sides", *d.assumptions]
    for e in d.environments:
        out += [f"{e.name}: changed: {x}" for x in e.assumptions]
        out += [f"{e.name}: {x}" for x in (e.after.assumptions if e.after else [])]
    return out


def to_markdown(d: Diff) -> str:
    out = [f"# Cost of the change: `{d.base}` → `{d.head}`", "", *summary_table(d), ""]
    for e in d.environments:
        out += [f"## {e.name}", ""]
        out += changes_table(e) if e.changes else ["No priced line changed."]
        out.append("")
        for title, items in (("Usage assumptions that changed", e.assumptions),
                             ("Recommended commitments", e.commitments)):
            if items:
                out += [f"**{title}**", "", *[f"- {_esc(x)}" for x in items], ""]
    out += ["**Assumptions**", "", *[f"- {_esc(x)}" for x in assumptions(d)], ""]
    if d.notes:
        out += ["**Notes**", "", *[f"- {_esc(x)}" for x in d.notes], ""]
    out.append(f"Prices: {_catalog(d)}. Monthly amounts, 730 h a month.")
    return "\n".join(out) + "\n"


# -- GitHub comment -------------------------------------------------------------------------------------------

def _headline(d: Diff) -> str:
    total_pct = d.delta_pct
    if not any(e.changes for e in d.environments):
        return "No change to the estimated monthly cost."
    n = sum(len(e.unpriced) for e in d.environments)
    return f"Estimated monthly cost {signed(d.delta_usd)}" + (f" ({pct(total_pct)})" if total_pct is not None
                                                               else "") + " across the environments below" + \
        (f", plus {n} resource(s) not priced." if n else ".")


def to_github(d: Diff, gate_message: str = "") -> str:
    """A pull-request comment: headline, summary table, the largest changes, commitments; the rest collapsed."""
    out = [MARKER, "### 💰 Cost of this pull request", "", _headline(d)]
    if gate_message:
        out += ["", f"> [!WARNING]\n> {gate_message}"]
    out += ["", *summary_table(d), ""]
    unpriced = [c for e in d.environments for c in e.unpriced]
    if unpriced:
        out += [f"**{len(unpriced)} resource(s) not priced** (their cost is NOT in the numbers above): "
                + ", ".join(f"`{c.component}`" for c in unpriced[:TOP_CHANGES])
                + (" …" if len(unpriced) > TOP_CHANGES else ""), ""]
    commitments = [f"{e.name}: {x}" for e in d.environments for x in e.commitments]
    if commitments:
        out += ["**Commitments**", "", *[f"- {_esc(x)}" for x in commitments], ""]
    for e in d.environments:
        if not e.changes:
            continue
        out += ["<details>", f"<summary>{_esc(e.name)}: {len(e.changes)} change(s), "
                f"{delta(e)}/month</summary>", "", *changes_table(e), ""]
        out += ["</details>", ""]
    out += ["<details>", "<summary>Assumptions</summary>", "", *[f"- {_esc(x)}" for x in assumptions(d)], "",
            "</details>", ""]
    if d.notes:
        out += ["<details>", "<summary>Importer notes</summary>", "", *[f"- {_esc(x)}" for x in d.notes], "",
                "</details>", ""]
    out.append(f"<sub>`cost diff {_esc(d.base)} {_esc(d.head)}` · {_catalog(d)} · offline: no AWS credentials "
               "used</sub>")
    return "\n".join(out) + "\n"


def render(d: Diff, fmt: str, gate_message: str = "") -> str:
    if fmt == "json":
        return to_json(d) + "\n"
    if fmt == "markdown":
        return to_markdown(d)
    if fmt == "github":
        return to_github(d, gate_message)
    return to_text(d)
