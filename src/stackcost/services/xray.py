"""X-Ray: traces recorded under the default sampling rule, and traces retrieved or scanned. The account's
always-free traces are allocated by stackcost.allowances."""

from __future__ import annotations

from decimal import Decimal

from stackcost.catalog import Catalog
from stackcost.registry import by_id
from stackcost.services.base import Component, n, query
from stackcost.sizing.model import Band, Environment

SERVICE = by_id("xray").label
# The default sampling rule (X-Ray Developer Guide, "Sampling rules"): a reservoir of 1 request per second,
# then 5 % of the additional requests.
RESERVOIR_PER_S = Decimal(1)
FIXED_RATE = Decimal("0.05")
SECONDS_PER_HOUR = 3600


def recorded_per_s(requests_per_s: Decimal) -> Decimal:
    return min(requests_per_s, RESERVOIR_PER_S) + FIXED_RATE * max(requests_per_s - RESERVOIR_PER_S, Decimal(0))


def components(env: Environment, catalog: Catalog) -> list[Component]:
    xr = env.xray
    if xr is None:
        return []
    seconds = env.hours_per_month * SECONDS_PER_HOUR
    r = xr.requests_per_s
    recorded = Band(low=recorded_per_s(r.low) * seconds, typical=recorded_per_s(r.typical) * seconds,
                    high=recorded_per_s(r.high) * seconds)
    out: list[Component] = []
    if recorded.high > 0:
        out.append(Component(SERVICE, "traces recorded", "Traces", recorded,
                             price=query("AWSXRay", chargeType="traces-recorded"), usage_based=True,
                             assumption=f"default sampling at {n(r.typical)} requests/s: min({n(r.typical)}, 1) + "
                                        f"5 % × {n(max(r.typical - 1, Decimal(0)))} = "
                                        f"{n(recorded_per_s(r.typical))} traces/s × {n(seconds)} s (requests "
                                        "taken as steady; the reservoir is per rule, not per task)"))
    if xr.traces_retrieved.high > 0:
        out.append(Component(SERVICE, "traces retrieved or scanned", "Traces", xr.traces_retrieved,
                             price=query("AWSXRay", chargeType="traces-retrieved"),
                             usage_based=True,
                             assumption=f"{n(xr.traces_retrieved.typical)} traces per month (retrieved and scanned "
                                        "share one price and one free allowance)"))
    return out
