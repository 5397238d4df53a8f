from __future__ import annotations

from pathlib import Path

from stackcost.reconcile import render_live


def test_seed_reconciliation_is_current() -> None:
    doc = Path(__file__).parent.parent / "docs" / "seed-reconciliation.md"
    assert doc.read_text(encoding="utf-8") == render_live(), "run `make docs` and commit the result"
