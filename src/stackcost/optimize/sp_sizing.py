"""How large a Savings Plan commitment should be for a service whose usage moves hour by hour.

The commitment c ($/h at Savings Plan rates) is paid every hour. In an hour with on-demand usage u, it covers
min(u, c / (1 − d)) of on-demand value (d = the plan's discount); the rest is paid on-demand:
    cost(c) = Σ_h [ c + max(0, u_h − c / (1 − d)) ]
cost is convex in c, so the minimum sits at a usage level (or at 0): each level's cost is worked out exactly in
Decimal from the sorted levels and their suffix sums (one pass, no NumPy). The cost curve shown on the page
(8,760 hours × 1,000 candidates in one array) is evaluated with NumPy only when it is asked for.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from stackcost.errors import StackcostError
from stackcost.estimate import HOURS_PER_MONTH, cents
from stackcost.sizing.model import FargateService
from stackcost.values import Value

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


class UsageProfileError(StackcostError, ValueError):
    """An hourly usage CSV that cannot be read."""


def hourly_tasks(svc: FargateService, hours: int = int(HOURS_PER_MONTH)) -> list[int]:
    """Tasks running in each hour of a month, from the profile's shares (else `desired` in every hour).

    Only how many hours sit at each level matters to the cost, not their order."""
    if not svc.tasks.profile:
        return [svc.tasks.desired] * hours
    counts = [int((step.share * hours).to_integral_value()) for step in svc.tasks.profile]
    counts[-1] += hours - sum(counts)  # rounding of the shares lands on the last step
    out: list[int] = []
    for step, k in zip(svc.tasks.profile, counts, strict=True):
        out += [step.tasks] * k
    return out


MAX_USAGE_ROWS = 3 * 8784  # three years of hours (leap years included): a Savings Plan term at most
MAX_USAGE_VALUE = Decimal(10) ** 6


def read_usage_csv(path: Path, column: str = "tasks") -> list[Decimal]:
    """One row per hour; `column` holds running tasks (or any usage unit the caller prices). Bounded in size,
    rows and field length; every value a finite number from 0 to a million, or one line naming the row."""
    from stackcost.errors import StackcostError
    from stackcost.safeio import echo, read_csv_bounded

    try:
        header, rows = read_csv_bounded(path, what="usage CSV", max_bytes=8 * 1024 * 1024, max_rows=MAX_USAGE_ROWS,
                                        max_field=64)
    except StackcostError as exc:
        raise UsageProfileError(f"{exc} (a usage CSV has a '{column}' column and one row per hour)") from None
    if not rows or column not in header:
        raise UsageProfileError(f"{path}: needs a '{column}' column with one row per hour")
    out = []
    for i, row in enumerate(rows, start=2):
        try:
            v = Decimal(row[column])
        except ArithmeticError:
            raise UsageProfileError(f"{path}:{i}: {column}={echo(row[column])} is not a number") from None
        if not v.is_finite() or v < 0 or v > MAX_USAGE_VALUE:
            raise UsageProfileError(f"{path}:{i}: {column}={echo(row[column])} must be a number from 0 to "
                                    f"{MAX_USAGE_VALUE:,}")
        out.append(v)
    return out


def cost_curve(usage: np.ndarray, discount: float, candidates: np.ndarray) -> np.ndarray:
    """Total cost over the hours for each candidate commitment (vectorised: candidates × hours)."""
    import numpy as np

    covered = candidates / (1.0 - discount)
    excess = np.maximum(usage[None, :] - covered[:, None], 0.0).sum(axis=1)
    out: np.ndarray = candidates * usage.shape[0] + excess
    return out


class Sizing(Value):
    """The Savings Plan commitment for one service's hourly usage, and its cost curve on demand."""

    service: str
    discount: Decimal
    indicative: bool
    hours: int
    commitment_per_hour: Decimal  # at Savings Plan rates
    on_demand_monthly_usd: Decimal
    with_plan_monthly_usd: Decimal
    peak_per_hour: Decimal  # on-demand value of the busiest hour
    usage_per_hour: tuple[Decimal, ...]  # the hourly on-demand usage sized (not in the repr)
    n_candidates: int  # commitments evaluated for the curve
    _fields = ("service", "discount", "indicative", "hours", "commitment_per_hour", "on_demand_monthly_usd",
               "with_plan_monthly_usd", "peak_per_hour", "usage_per_hour", "n_candidates")
    _repr = tuple(f for f in _fields if f != "usage_per_hour")

    def __init__(self, service: str, discount: Decimal, indicative: bool, hours: int, commitment_per_hour: Decimal,
                 on_demand_monthly_usd: Decimal, with_plan_monthly_usd: Decimal, peak_per_hour: Decimal,
                 usage_per_hour: tuple[Decimal, ...] = (), n_candidates: int = 1000) -> None:
        self._set(service=service, discount=discount, indicative=indicative, hours=hours,
                  commitment_per_hour=commitment_per_hour, on_demand_monthly_usd=on_demand_monthly_usd,
                  with_plan_monthly_usd=with_plan_monthly_usd, peak_per_hour=peak_per_hour,
                  usage_per_hour=usage_per_hour, n_candidates=n_candidates)

    @cached_property
    def candidates(self) -> np.ndarray:
        """Commitments evaluated for the curve ($/h): n_candidates from 0 to the peak (NumPy on first use)."""
        import numpy as np

        return np.linspace(0.0, float(self.peak_per_hour) * (1.0 - float(self.discount)), self.n_candidates)

    @cached_property
    def monthly_costs(self) -> np.ndarray:
        """Monthly USD at each candidate."""
        import numpy as np

        usage = np.array([float(u) for u in self.usage_per_hour])
        costs = cost_curve(usage, float(self.discount), self.candidates)
        out: np.ndarray = costs * (float(HOURS_PER_MONTH) / len(usage))
        return out

    @property
    def curve(self) -> pd.DataFrame:
        """The cost curve: commitment_per_hour, monthly_usd (pandas only for those who ask)."""
        import pandas as pd

        return pd.DataFrame({"commitment_per_hour": self.candidates, "monthly_usd": self.monthly_costs})

    @property
    def monthly_saving_usd(self) -> Decimal:
        return self.on_demand_monthly_usd - self.with_plan_monthly_usd


def exact_cost(usage: list[Decimal], discount: Decimal, commitment: Decimal) -> Decimal:
    covered = commitment / (1 - discount)
    return sum((commitment + max(Decimal(0), u - covered) for u in usage), Decimal(0))


def best_commitment(usage_per_hour: list[Decimal], discount: Decimal) -> Decimal:
    """The commitment with the lowest cost(c); the smallest one on a tie.

    At the level of usage u_j (c_j = u_j × (1 − d), which covers exactly u_j):
        cost(c_j) = H × c_j + Σ_{u > u_j} (u − u_j) = H × c_j + (sum of the usage above) − (hours above) × u_j
    and cost(0) is the whole usage. Levels are visited in ascending order, so a later level must be strictly
    cheaper to win."""
    counts: dict[Decimal, int] = {}
    for u in usage_per_hour:
        counts[u] = counts.get(u, 0) + 1
    hours = len(usage_per_hour)
    above_sum = sum(usage_per_hour, Decimal(0))  # usage above the current level
    above_hours = hours
    best, best_cost = Decimal(0), above_sum
    for u in sorted(counts):
        above_sum -= u * counts[u]
        above_hours -= counts[u]
        c = u * (1 - discount)
        cost = hours * c + above_sum - above_hours * u
        if cost < best_cost:
            best, best_cost = c, cost
    return best


def size(service: str, usage_per_hour: list[Decimal], discount: Decimal, *, indicative: bool,
         n_candidates: int = 1000) -> Sizing:
    """The commitment that minimises cost for an hourly on-demand usage ($/h); the cost curve is computed when
    asked for (`candidates`, `monthly_costs`, `curve`)."""
    if not usage_per_hour:
        raise UsageProfileError("the usage profile has no hours")
    if not Decimal(0) <= discount < 1:
        raise ValueError(f"discount {discount} must be in [0, 1)")
    best = best_commitment(usage_per_hour, discount)
    months = Decimal(len(usage_per_hour)) / HOURS_PER_MONTH
    return Sizing(
        service=service, discount=discount, indicative=indicative, hours=len(usage_per_hour),
        commitment_per_hour=best,
        on_demand_monthly_usd=cents(sum(usage_per_hour, Decimal(0)) / months),
        with_plan_monthly_usd=cents(exact_cost(usage_per_hour, discount, best) / months),
        peak_per_hour=max(usage_per_hour), usage_per_hour=tuple(usage_per_hour), n_candidates=n_candidates,
    )
