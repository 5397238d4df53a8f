"""Who spent it: the environment a tag value names (with the config's aliases), what matches none (unallocated),
and the month's non-usage charges on their own labelled lines."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from stackcost.report.actuals import ActualRow

# The labels of the charge lines, in the order shown.
CHARGE_LABELS = {
    "tax": "Tax",
    "credit": "Credits",
    "refund": "Refunds",
    "purchase": "RI / Savings Plans purchases and fees",
    "discount": "Discounts",
    "adjustment": "Adjustments",
    "correction": "Corrections of earlier periods",
}


class Resolver:
    """Tag value -> environment: the environment's own name or one of its aliases, case-insensitively (tag values
    are typed by people: "Production" and "production" are the same environment)."""

    def __init__(self, environments: Iterable[str], aliases: Mapping[str, Iterable[str]] | None = None) -> None:
        self._by: dict[str, str] = {}
        for env in environments:
            self._by[env.strip().lower()] = env
        for env, values in (aliases or {}).items():
            for v in values:
                self._by.setdefault(str(v).strip().lower(), env)

    def __call__(self, tag: str) -> str | None:
        return self._by.get(tag.strip().lower()) if tag.strip() else None


@dataclass
class Month:
    """The source's whole month, split the way the report shows it."""
    total: Decimal = Decimal(0)  # every charge but tax (credits and refunds included)
    amortized: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    charges: dict[str, Decimal] = field(default_factory=dict)  # label -> amount, tax included
    unallocated: Decimal = Decimal(0)
    unallocated_values: dict[str, Decimal] = field(default_factory=dict)  # tag value -> amount ("" = untagged)
    unallocated_by_service: dict[str, Decimal] = field(default_factory=dict)


def split(rows: Iterable[ActualRow], resolve: Resolver) -> Month:
    m = Month()
    for r in rows:
        if r.kind != "usage":
            label = CHARGE_LABELS.get(r.kind, r.kind)
            m.charges[label] = m.charges.get(label, Decimal(0)) + r.usd
        if r.kind == "tax":
            m.tax += r.usd
            continue
        m.total += r.usd
        m.amortized += r.amortized_usd if r.amortized_usd is not None else r.usd
        # Only usage is owed to an environment: an untagged credit or RI fee is an account-level charge shown on
        # its own line, not spend someone forgot to tag.
        if r.kind == "usage" and resolve(r.environment) is None:
            m.unallocated += r.usd
            m.unallocated_values[r.environment] = m.unallocated_values.get(r.environment, Decimal(0)) + r.usd
            name = r.service or r.aws_service
            m.unallocated_by_service[name] = m.unallocated_by_service.get(name, Decimal(0)) + r.usd
    return m
