"""Account-wide free allowances, shared by the environments of one account.

AWS gives some free allowances once per account and month, whatever the number of environments in it:
CloudFront's 1 TB and 10M requests, 100 GB of internet egress, CloudWatch's always-free tier, X-Ray's traces,
KMS requests. Environments naming the same `account:` share each allowance, allocated in the config's
environment order (the first takes what it uses, the next what is left); an environment without `account:` is
its own account. Each allowance is a catalog record (term FreeTier); the pricers never subtract these
themselves: this step sets `free` on the lines that draw from a pool, at each band level separately.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from stackcost.catalog import Catalog, PriceNotFound, PriceRecord
from stackcost.services.base import Component, Levels, PriceQuery, allowance, n
from stackcost.sizing.model import Environment, Stack
from stackcost.values import Value

LEVELS = ("low", "typical", "high")
Used = dict[str, Levels]


class Pool(Value):
    """One account-wide free allowance that lines draw from."""

    key: str
    label: str
    service_code: str
    filters: tuple[tuple[str, str], ...]  # how to find the allowance's FreeTier record
    _fields = ("key", "label", "service_code", "filters")

    def __init__(self, key: str, label: str, service_code: str, filters: tuple[tuple[str, str], ...]) -> None:
        self._set(key=key, label=label, service_code=service_code, filters=filters)


# (service code, chargeType of the priced record) -> the pool the line draws from.
_BY_CHARGE: dict[tuple[str, str], Pool] = {
    ("AmazonCloudWatch", "logs-ingestion-standard"): Pool("cloudwatch-logs-ingestion", "CloudWatch logs ingestion",
                                                          "AmazonCloudWatch", (("chargeType", "logs-data"),)),
    ("AmazonCloudWatch", "logs-storage"): Pool("cloudwatch-logs-storage", "CloudWatch logs archive storage",
                                               "AmazonCloudWatch", (("chargeType", "logs-data"),)),
    ("AmazonCloudWatch", "custom-metrics"): Pool("cloudwatch-metrics", "CloudWatch metrics", "AmazonCloudWatch",
                                                 (("chargeType", "custom-metrics"),)),
    ("AmazonCloudWatch", "alarm-standard"): Pool("cloudwatch-alarms", "CloudWatch alarm metrics",
                                                 "AmazonCloudWatch", (("chargeType", "alarm-standard"),)),
    ("AmazonCloudWatch", "dashboards"): Pool("cloudwatch-dashboards", "CloudWatch dashboards", "AmazonCloudWatch",
                                             (("chargeType", "dashboards"),)),
    ("AmazonCloudWatch", "api-requests"): Pool("cloudwatch-api-requests", "CloudWatch API requests",
                                               "AmazonCloudWatch", (("chargeType", "api-requests"),)),
    ("AmazonCloudFront", "transfer-internet"): Pool("cloudfront-data-out", "CloudFront data transfer out",
                                                    "AmazonCloudFront", (("chargeType", "transfer-internet"),)),
    ("AmazonCloudFront", "requests-https"): Pool("cloudfront-requests", "CloudFront requests", "AmazonCloudFront",
                                                 (("chargeType", "requests"),)),
    ("AmazonCloudFront", "requests-http"): Pool("cloudfront-requests", "CloudFront requests", "AmazonCloudFront",
                                                (("chargeType", "requests"),)),
    ("AWSXRay", "traces-recorded"): Pool("xray-recorded", "X-Ray traces recorded", "AWSXRay",
                                         (("chargeType", "traces-recorded"),)),
    ("AWSXRay", "traces-retrieved"): Pool("xray-retrieved-scanned", "X-Ray traces retrieved or scanned", "AWSXRay",
                                          (("chargeType", "traces-retrieved-scanned"),)),
    ("awskms", "requests-symmetric"): Pool("kms-requests", "KMS requests", "awskms",
                                           (("chargeType", "requests-symmetric"),)),
}
_EGRESS = Pool("internet-egress", "internet egress", "AWSDataTransfer",
               (("transferType", "internet"), ("direction", "out")))


def pool_of(c: Component) -> Pool | None:
    rec = c.records[0]
    if rec.service_code == "AWSDataTransfer" and rec.attributes.get("transferType") == "internet" and \
            rec.attributes.get("direction") == "out":
        return _EGRESS
    pool = _BY_CHARGE.get((rec.service_code, rec.attributes.get("chargeType", "")))
    if pool is not None and pool.service_code == "AmazonCloudFront" and c.free_record is None:
        return None  # always_free_tier: false (the sizing opted out of CloudFront's allowance)
    return pool


def _record(pool: Pool, catalog: Catalog) -> PriceRecord:
    """The pool's FreeTier record (a price query, so each catalog answers it once)."""
    q = _QUERIES.get(pool)
    if q is None:
        q = _QUERIES[pool] = allowance(pool.service_code, attrs=dict(pool.filters))
    return q.resolve(catalog)[0]


_QUERIES: dict[Pool, PriceQuery] = {}


def allocate(components: list[Component], used: Used, catalog: Catalog) -> tuple[list[Component], Used]:
    """The components with `free` set from what is left of each pool; the pools' use after them."""
    used = dict(used)
    out: list[Component] = []
    for c in components:
        pool = pool_of(c)
        if pool is None:
            out.append(c)
            continue
        try:
            rec = _record(pool, catalog)
        except PriceNotFound:
            # The region's price data states no such allowance: none is subtracted (never an invented one).
            out.append(c.replace(assumption=f"{c.assumption}; no {pool.label} free allowance in the "
                                             f"{catalog.region} catalog: none subtracted"))
            continue
        size = Decimal(rec.tier_end or 0)
        before = used.get(pool.key, Levels.of(0))
        take = Levels(*(min(max(size - getattr(before, lv), Decimal(0)), getattr(c.quantity, lv)) for lv in LEVELS))
        used[pool.key] = Levels(*(getattr(before, lv) + getattr(take, lv) for lv in LEVELS))
        left = f"{n(size - before.typical)} left of {n(size)}" if before.typical else f"of {n(size)}"
        note = f"; free: {n(take.typical)} ({left} per account and month, {pool.label})"
        out.append(c.replace(free=take, free_record=rec, assumption=c.assumption + note))
    return out, used


def account_key(name: str, env: Environment) -> str:
    return f"account {env.account}" if env.account else f"environment {name}"


def prior_use(stack: Stack, name: str, catalog: Catalog,
              priced: Callable[[str, Environment], list[Component]]) -> Used:
    """What the environments before `name` in the same account take from each pool (config order)."""
    used: Used = {}
    key = account_key(name, stack.environments[name])
    for other, env in stack.environments.items():
        if other == name:
            break
        if account_key(other, env) == key:
            used = allocate(priced(other, env), used, catalog)[1]
    return used


def sharing_note(stack: Stack, name: str) -> list[str]:
    env = stack.environments[name]
    if env.account is None:
        return [f"{name} is its own account (no `account:`): it gets every account-wide free allowance"]
    peers = [o for o, e in stack.environments.items() if e.account == env.account]
    if len(peers) == 1:
        return [f"{name} is the only environment of account {env.account}: it gets every free allowance"]
    before = peers[:peers.index(name)]
    share = f"{name} gets what {', '.join(before)} leave{'s' if len(before) == 1 else ''}" if before else \
        f"{name} comes first and gets each allowance in full"
    return [f"free allowances of account {env.account} are shared by {', '.join(peers)}, allocated in that "
            f"(config) order: {share}"]
