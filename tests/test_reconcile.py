"""docs/seed-reconciliation.md, checked against numbers worked out here rather than against a copy of itself: every
service's amount is the hand calculation of tests/pricelist_fixtures.py (preset quantities × the price strings of
seoul_prices.csv), every "Q unit × P = A" of its detail is the arithmetic it claims with a published price P, and the
difference column is stackcost minus the guide."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from stackcost.reconcile import render_live
from tests.pricelist_fixtures import production_lines_by_hand, published_rows

DOC = Path(__file__).parent.parent / "docs" / "seed-reconciliation.md"
# The guide's row label where it differs from stackcost's service name.
SERVICE_OF_LABEL = {"ElastiCache Redis": "ElastiCache"}
# "730 Hrs × 0.224 = 163.52", or with a free allowance "(120 − 100 free) GB-Mo × 0.095 = 1.90".
NUM = r"\d+(?:\.\d+)?"
DETAIL = re.compile(rf"(?:\(({NUM}) − ({NUM}) free\)|({NUM})) (\S+) × ({NUM}) = (\d+\.\d\d)")


def _billed(qty: str, free: str, plain_qty: str) -> Decimal:
    return Decimal(qty) - Decimal(free) if qty else Decimal(plain_qty)


def _usd(text: str) -> Decimal:
    return Decimal(text.strip().strip("*~").replace(",", "").replace("+", ""))


def _rows(doc: str) -> list[list[str]]:
    """The rows of the document's first table (the per-service reconciliation), without its header row."""
    lines = doc.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| "))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        if line.startswith("| "):
            table.append(line.strip().strip("|").split("|"))
    return [[c.strip() for c in r] for r in table[1:]]


def _check_amounts(doc: str) -> None:
    by_hand: dict[str, Decimal] = defaultdict(Decimal)
    for service, _, amount in production_lines_by_hand():
        by_hand[service] += amount
    published = {Decimal(r["price_usd"]) for r in published_rows()}
    rows = _rows(doc)
    total = next(r for r in rows if r[0] == "**Total**")
    seen, guide_sum = set(), Decimal(0)
    for label, spec, guide, ours, diff, why in (r for r in rows if r is not total):
        service = spec if label == "*(not in the guide)*" else SERVICE_OF_LABEL.get(label, label)
        seen.add(service)
        assert _usd(ours) == by_hand[service], service
        details = DETAIL.findall(why)
        assert all(Decimal(price) in published for *_, price, _ in details), service
        assert sum((Decimal(a) for *_, a in details), Decimal(0)) == _usd(ours), service
        if guide != "–":
            guide_sum += _usd(guide)
            assert _usd(diff) == _usd(ours) - _usd(guide), service
    assert seen == set(by_hand)  # every priced service has its row, and no other
    assert _usd(total[3]) == sum(by_hand.values(), Decimal(0))
    assert _usd(total[2]) == guide_sum  # the guide's total is the sum of its own lines (352)
    assert _usd(total[4]) == _usd(total[3]) - guide_sum


def _doc(which: str) -> str:
    return DOC.read_text(encoding="utf-8") if which == "committed" else render_live()


@pytest.mark.parametrize("which", ["committed", "live"])
def test_seed_reconciliation_against_the_hand_calculation(which: str) -> None:
    _check_amounts(_doc(which))


@pytest.mark.parametrize("which", ["committed", "live"])
def test_each_detail_is_quantity_times_published_price(which: str) -> None:
    found = DETAIL.findall(_doc(which))
    assert any(qty for qty, *_ in found)  # the free allowances are written out, e.g. the RDS backups
    for qty, free, plain_qty, _unit, price, amount in found:
        billed = _billed(qty, free, plain_qty)
        assert Decimal(amount) == (billed * Decimal(price)).quantize(Decimal("0.01"), ROUND_HALF_UP), \
            f"{billed} × {price} = {amount}"
