"""Analysis helpers for notebooks: which inputs move the cost most, and what more traffic does.

Every number comes from `estimate`, so an analysis never disagrees with the CLI."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from stackcost.catalog import Catalog
from stackcost.estimate import estimate
from stackcost.sizing.edit import edited, with_environment
from stackcost.sizing.model import Band, Environment, Stack

if TYPE_CHECKING:
    import pandas as pd


def _bands(model: Any, prefix: str) -> list[tuple[str, Band]]:
    out: list[tuple[str, Band]] = []
    if model is None:
        return out
    for name in type(model).model_fields:
        v = getattr(model, name)
        path = f"{prefix}.{name}"
        if isinstance(v, Band):
            out.append((path, v))
        elif isinstance(v, dict):
            out += [(f"{path}.{k}", b) for k, b in v.items() if isinstance(b, Band)]
        elif hasattr(type(v), "model_fields"):
            out += _bands(v, path)
    return out


def _with(env: Environment, path: str, band: Band) -> Environment:
    changes: dict[str, object] = {path: band}
    if env.nat is not None and path in ("nat.data_processed_gb", "nat.s3_gb"):
        # The S3 part of the NAT traffic moves with the whole, and can never exceed it.
        whole = band if path == "nat.data_processed_gb" else env.nat.data_processed_gb
        part = band if path == "nat.s3_gb" else env.nat.s3_gb
        old = env.nat.data_processed_gb.typical
        if path == "nat.data_processed_gb" and old:
            part = part.scaled(band.typical / old)
        changes["nat.s3_gb"] = {k: min(getattr(part, k), getattr(whole, k)) for k in ("low", "typical", "high")}
    return edited(env, changes)


def usage_inputs(env: Environment) -> list[tuple[str, Band]]:
    """Every usage input given as a band (path, band)."""
    out: list[tuple[str, Band]] = []
    for section in ("rds", "nat", "alb", "cloudfront", "s3", "cloudwatch", "other"):
        out += _bands(getattr(env, section), section)
    return out


def sensitivity(stack: Stack, environment: str, catalog: Catalog) -> pd.DataFrame:
    """Tornado data: the monthly total with each input at its low and at its high (others typical)."""
    import pandas as pd

    env = stack.environments[environment]
    base = estimate(stack, environment, catalog).total
    rows = []
    for path, band in usage_inputs(env):
        totals = {}
        for level in ("low", "high"):
            value = getattr(band, level)
            changed = with_environment(stack, environment, _with(env, path, Band.of(value)))
            totals[level] = estimate(changed, environment, catalog).total
        rows.append({"input": path, "low": band.low, "typical": band.typical, "high": band.high,
                     "total_at_low": totals["low"], "total_at_high": totals["high"],
                     "swing_usd": totals["high"] - totals["low"], "baseline_usd": base})
    frame = pd.DataFrame(rows)
    return frame.sort_values("swing_usd", ascending=False, key=lambda s: s.map(float)).reset_index(drop=True)


def scale_usage(env: Environment, factor: Decimal | int | str) -> Environment:
    """The environment with every usage band (traffic, GB, requests) multiplied by `factor`; sizes unchanged."""
    f = Decimal(factor)
    for path, band in usage_inputs(env):
        env = _with(env, path, band.scaled(f))
    return env


def traffic_growth(stack: Stack, environment: str, catalog: Catalog,
                   factors: tuple[int, ...] = (1, 2, 3)) -> pd.DataFrame:
    """Monthly cost by service when usage doubles, triples, ... (fixed-size resources stay as sized)."""
    import pandas as pd

    rows = []
    env = stack.environments[environment]
    for f in factors:
        changed = with_environment(stack, environment, scale_usage(env, f))
        est = estimate(changed, environment, catalog)
        rows += [{"factor": f"×{f}", "service": s, "monthly_usd": v} for s, v in est.by_service().items()]
    return pd.DataFrame(rows)
