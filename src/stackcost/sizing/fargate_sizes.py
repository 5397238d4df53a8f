"""The task sizes Fargate accepts (Amazon ECS Developer Guide, "Task CPU and memory", Linux platform 1.4.0+).

These are product limits, not prices: a size outside this table cannot be launched, so the sizing model
rejects it and suggests the nearest valid one.
"""

from __future__ import annotations

from decimal import Decimal

from stackcost.util import plain as _n

# vCPU -> (min GB, max GB, step GB), or an explicit list of GB values.
_RANGES: dict[Decimal, tuple[Decimal, Decimal, Decimal]] = {
    Decimal("2"): (Decimal(4), Decimal(16), Decimal(1)),
    Decimal("4"): (Decimal(8), Decimal(30), Decimal(1)),
    Decimal("8"): (Decimal(16), Decimal(60), Decimal(4)),
    Decimal("16"): (Decimal(32), Decimal(120), Decimal(8)),
}
_LISTS: dict[Decimal, list[Decimal]] = {
    Decimal("0.25"): [Decimal("0.5"), Decimal(1), Decimal(2)],
    Decimal("0.5"): [Decimal(1), Decimal(2), Decimal(3), Decimal(4)],
    Decimal("1"): [Decimal(n) for n in range(2, 9)],
}

VCPU_OPTIONS: list[Decimal] = sorted([*_LISTS, *_RANGES])


def memory_options(vcpu: Decimal) -> list[Decimal]:
    if vcpu in _LISTS:
        return list(_LISTS[vcpu])
    if vcpu in _RANGES:
        lo, hi, step = _RANGES[vcpu]
        out, m = [], lo
        while m <= hi:
            out.append(m)
            m += step
        return out
    return []


def describe(vcpu: Decimal) -> str:
    if vcpu in _RANGES:
        lo, hi, step = _RANGES[vcpu]
        return f"{_n(lo)}-{_n(hi)} GB in {_n(step)} GB steps"
    return ", ".join(_n(m) for m in _LISTS[vcpu]) + " GB"


def is_valid(vcpu: Decimal, memory_gb: Decimal) -> bool:
    return memory_gb in memory_options(vcpu)


def nearest(vcpu: Decimal, memory_gb: Decimal) -> tuple[Decimal, Decimal]:
    """The valid (vCPU, GB) closest to the request, preferring the requested vCPU."""
    if vcpu in VCPU_OPTIONS:
        opts = memory_options(vcpu)
        return vcpu, min(opts, key=lambda m: (abs(m - memory_gb), m))
    best = min(VCPU_OPTIONS, key=lambda v: (abs(v - vcpu), v))
    return best, min(memory_options(best), key=lambda m: (abs(m - memory_gb), m))
