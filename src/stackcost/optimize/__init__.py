"""Commitments and savings: every option against on-demand, a non-overlapping plan, Savings Plan sizing.

The names below load on first use, so that importing one submodule (e.g. for its exception in the CLI's error
handler) does not pull in the whole optimizer at start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stackcost.optimize.options import Option
    from stackcost.optimize.plan import Plan, PlanStep
    from stackcost.optimize.run import OptimizeResult, optimize

__all__ = ["OptimizeResult", "Option", "Plan", "PlanStep", "optimize"]

_WHERE = {"Option": "options", "Plan": "plan", "PlanStep": "plan", "OptimizeResult": "run", "optimize": "run"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f"stackcost.optimize.{_WHERE[name]}"), name)
    raise AttributeError(name)
