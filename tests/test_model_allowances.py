"""Issue #13: account-wide free allowances shared between environments, allocated in the config's order.

Expected values are hand calculations from the published price strings (quoted; see test_model_prices) and the
allowance sizes AWS publishes (CloudWatch: 5 GB of logs; CloudFront: 1 TB = 1,024 GB and 10M requests).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stackcost.catalog import Catalog
from stackcost.estimate import Estimate, LineItem, estimate
from stackcost.sizing.model import Stack

INGEST = Decimal("0.76")  # "CloudWatch Logs standard ingestion", price_usd 0.76
CF_FIRST_TIER = Decimal("0.12")  # "Regional DT from Asia Pacific to Internet First 10 TB", price_usd 0.12
LOGS_FREE = Decimal(5)  # "Free tier: logs data ...": free allowance per month=5
CF_FREE_GB = Decimal(1024)  # CloudFront always free: 1 TB (1,024 GB as in its tiers)


def c(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def env(logs_gb: Any, cf_gb: Any, account: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"cloudwatch": {"logs_ingested_gb": logs_gb},
                           "cloudfront": {"edge_group": "Asia Pacific", "data_out_gb": cf_gb}}
    if account is not None:
        out["account"] = account
    return out


def line(est: Estimate, service: str, words: str) -> LineItem:
    return next(i for i in est.items if i.service == service and words in i.component)


def test_two_environments_in_one_account_share_each_allowance(catalog: Catalog) -> None:
    stack = Stack.model_validate({"environments": {"a": env(3, 900, "shared"), "b": env(4, 200, "shared")}})
    a, b = estimate(stack, "a", catalog), estimate(stack, "b", catalog)
    # a comes first: 3 of the 5 free GB of logs, 900 of the 1,024 free GB of CloudFront
    assert line(a, "CloudWatch", "application logs").free_quantity == 3
    assert line(a, "CloudWatch", "application logs").monthly_usd == 0
    assert line(a, "CloudFront", "data transfer").free_quantity == 900
    # b gets what is left: 2 GB of logs (pays 4 − 2), 124 GB of CloudFront (pays 200 − 124)
    logs_b, cf_b = line(b, "CloudWatch", "application logs"), line(b, "CloudFront", "data transfer")
    assert logs_b.free_quantity == LOGS_FREE - 3 and logs_b.monthly_usd == c((4 - (LOGS_FREE - 3)) * INGEST)
    assert cf_b.free_quantity == CF_FREE_GB - 900 and cf_b.monthly_usd == c((200 - (CF_FREE_GB - 900)) * CF_FIRST_TIER)
    assert any("shared by a, b" in n for n in b.assumptions)


def test_two_accounts_each_get_their_own_allowance(catalog: Catalog) -> None:
    stack = Stack.model_validate({"environments": {"a": env(3, 900, "one"), "b": env(4, 200, "two")}})
    b = estimate(stack, "b", catalog)
    assert line(b, "CloudWatch", "application logs").free_quantity == 4
    assert line(b, "CloudFront", "data transfer").free_quantity == 200
    assert b.by_service().get("CloudWatch") == 0 and b.by_service().get("CloudFront") == 0
    # without `account:` an environment is its own account too
    alone = Stack.model_validate({"environments": {"a": env(3, 900, None), "b": env(4, 200, None)}})
    assert estimate(alone, "b", catalog).total == b.total


def test_the_stated_order_decides_who_comes_first(catalog: Catalog) -> None:
    first_a = Stack.model_validate({"environments": {"a": env(8, 0, "s"), "b": env(8, 0, "s")}})
    first_b = Stack.model_validate({"environments": {"b": env(8, 0, "s"), "a": env(8, 0, "s")}})
    assert line(estimate(first_a, "a", catalog), "CloudWatch", "application").monthly_usd == c(3 * INGEST)
    assert line(estimate(first_b, "a", catalog), "CloudWatch", "application").monthly_usd == c(8 * INGEST)


def test_bands_draw_on_the_allowance_level_by_level(catalog: Catalog) -> None:
    stack = Stack.model_validate({"environments": {
        "a": env({"low": 1, "typical": 3, "high": 6}, 0, "s"), "b": env({"low": 2, "typical": 4, "high": 5}, 0, "s")}})
    logs = line(estimate(stack, "b", catalog), "CloudWatch", "application logs")
    # left for b: low 5 − 1 = 4, typical 5 − 3 = 2, high 5 − 5 (a used 6) = 0
    assert (logs.monthly_usd_low, logs.monthly_usd, logs.monthly_usd_high) == \
        (c(0 * INGEST), c(2 * INGEST), c(5 * INGEST))


def test_preset_staging_shares_production_account(stack: Stack, catalog: Catalog) -> None:
    staging = estimate(stack, "staging", catalog)
    # production (first in the file) uses 100 of CloudFront's 1,024 free GB; staging's 10 GB fit in the rest
    assert line(staging, "CloudFront", "data transfer").free_quantity == 10
    # production's 30 GB of application logs took the account's 5 free GB: staging pays all of its 5 GB
    assert line(staging, "CloudWatch", "application logs").monthly_usd == c(5 * INGEST)


_band = st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40)).map(sorted).map(
    lambda t: {"low": t[0], "typical": t[1], "high": t[2]})
_env = st.fixed_dictionaries({
    "cloudwatch": st.fixed_dictionaries({"logs_ingested_gb": _band, "logs_stored_gb": _band,
                                         "custom_metrics": st.integers(0, 30), "alarms": st.integers(0, 15)}),
    "cloudfront": st.fixed_dictionaries({"data_out_gb": _band.map(lambda b: {k: v * 60 for k, v in b.items()})}),
    "xray": st.fixed_dictionaries({"requests_per_s": _band, "traces_retrieved": _band}),
    "other": st.fixed_dictionaries({"internet_out_gb": _band.map(lambda b: {k: v * 5 for k, v in b.items()})}),
})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(envs=st.lists(_env, min_size=1, max_size=3), new=_env)
def test_adding_an_environment_to_an_account_never_raises_another(catalog: Catalog, envs: list[dict[str, Any]],
                                                                  new: dict[str, Any]) -> None:
    # A new environment goes to the end of the file, the stated order: it takes only what the others leave.
    before = Stack.model_validate({"environments": {f"e{i}": {**e, "account": "acct"} for i, e in enumerate(envs)}})
    after = Stack.model_validate({"environments": {**before.model_dump()["environments"],
                                                   "added": {**new, "account": "acct"}}})
    for name in before.environments:
        old, now = estimate(before, name, catalog), estimate(after, name, catalog)
        assert now.total_low <= old.total_low and now.total <= old.total and now.total_high <= old.total_high
    # and the newcomer never gets more than the allowance the others left
    added = estimate(after, "added", catalog)
    alone = estimate(Stack.model_validate({"environments": {"added": new}}), "added", catalog)
    assert added.total >= alone.total


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(envs=st.lists(_env, min_size=1, max_size=3))
def test_high_band_never_below_typical(catalog: Catalog, envs: list[dict[str, Any]]) -> None:
    stack = Stack.model_validate({"environments": {f"e{i}": {**e, "account": "acct"} for i, e in enumerate(envs)}})
    for name in stack.environments:
        est = estimate(stack, name, catalog)
        assert est.total_low <= est.total <= est.total_high
        for item in est.items:
            assert item.monthly_usd_low <= item.monthly_usd <= item.monthly_usd_high, item


def test_preset_high_band_never_below_typical(stack: Stack, catalog: Catalog) -> None:
    for name in stack.environments:
        for item in estimate(stack, name, catalog).items:
            assert item.monthly_usd <= item.monthly_usd_high, item
