"""`cost optimize`: every option type against a hand calculation from the Seoul price strings, the plan's rules,
and properties of commitments and Savings Plan sizing."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackcost.catalog import Catalog
from stackcost.optimize import Option, optimize
from stackcost.optimize.options import priced
from stackcost.optimize.sp_sizing import exact_cost, size
from stackcost.sizing.model import Stack

H = Decimal(730)


def _c(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _stack(stack: Stack, env: str = "production", **sections: dict[str, Any]) -> Stack:
    data = stack.model_dump(mode="json")
    for section, update in sections.items():
        if section == "fargate":
            data["environments"][env]["fargate"][0].update(update)
        else:
            data["environments"][env][section].update(update)
    return Stack.model_validate(data)


def _opt(options: list[Option], text: str, service: str | None = None) -> Option:
    found = [o for o in options if o.option == text and (service is None or o.service == service)]
    assert len(found) == 1, [o.option for o in options]
    return found[0]


@pytest.fixture(scope="module")
def prod(stack: Stack, catalog: Catalog) -> Any:
    return optimize(stack, "production", catalog, risk="medium")


def test_rds_reserved_1yr_partial_upfront_by_hand(prod: Any) -> None:
    o = _opt(prod.options, "Reserved instance 1yr Partial Upfront")
    # db.t3.medium Multi-AZ: 726 upfront + 0.0829/h, against 0.224/h on-demand.
    assert o.upfront_usd == Decimal("726") and o.monthly_recurring_usd == Decimal("0.0829") * H
    assert o.effective_monthly_usd == Decimal("121.02")  # 60.517 + 726/12 = 121.017
    assert o.on_demand_monthly_usd == Decimal("163.52")  # 0.224 × 730
    assert o.monthly_saving_usd == Decimal("42.50")
    assert o.total_1y_usd == Decimal("726") + Decimal("0.0829") * 8760  # 1,452.204
    assert o.on_demand_1y_usd == Decimal("0.224") * 8760  # 1,962.24
    assert o.break_even_month == 8  # 726 / (163.52 − 60.517) = 7.05
    assert o.total_3y_usd == 3 * (Decimal("726") + Decimal("0.0829") * 8760)  # renewed twice


def test_rds_reserved_other_terms_and_gaps(prod: Any) -> None:
    nu = _opt(prod.options, "Reserved instance 1yr No Upfront")
    assert nu.effective_monthly_usd == Decimal("127.02") and nu.break_even_month == 1  # 0.174 × 730
    pu3 = _opt(prod.options, "Reserved instance 3yr Partial Upfront")
    assert pu3.effective_monthly_usd == Decimal("81.77")  # 0.056 × 730 + 1472 / 36 = 40.88 + 40.889
    assert pu3.total_3y_usd == Decimal("1472") + Decimal("0.056") * 730 * 36
    assert pu3.break_even_month == 13  # 1472 / (163.52 − 40.88) = 12.003
    for missing in ("1yr All Upfront", "3yr No Upfront", "3yr All Upfront"):
        o = _opt(prod.options, f"Reserved instance {missing}")
        assert not o.available and o.effective_monthly_usd is None and "not offered" in o.constraint


def test_elasticache_reserved_nodes_every_term(prod: Any) -> None:
    rn = [o for o in prod.options if o.kind == "reserved" and o.service == "ElastiCache"]
    assert len(rn) == 6 and all(o.available for o in rn)
    au = _opt(prod.options, "Reserved node 1yr All Upfront")
    assert au.upfront_usd == 2 * Decimal("138") and au.monthly_recurring_usd == 0
    assert au.on_demand_monthly_usd == Decimal("36.50")  # 2 × 0.025 × 730
    assert au.effective_monthly_usd == Decimal("23.00") and au.break_even_month == 8  # 276 / 36.5 = 7.6


def test_database_savings_plan_ineligible_shows_the_eligible_alternative(prod: Any) -> None:
    o = next(o for o in prod.options if o.kind == "savings-plan" and o.service == "RDS PostgreSQL")
    assert o.option.startswith("Switch to db.m7g.large Multi-AZ")
    assert "t3 is not eligible" in o.constraint
    assert o.effective_monthly_usd == Decimal("273.78")  # 0.37504 × 730 = 273.779
    assert o.monthly_saving_usd == Decimal("163.52") - Decimal("273.78")  # costs more: never planned
    ec = next(o for o in prod.options if o.kind == "savings-plan" and o.service == "ElastiCache")
    assert "Redis OSS is not eligible" in ec.constraint and "cache.m7g.large" in ec.option


def test_database_savings_plan_where_eligible(stack: Stack, catalog: Catalog) -> None:
    s = _stack(stack, rds={"instance_class": "db.m7g.large"}, elasticache={"engine": "valkey",
                                                                           "node_type": "cache.m7g.large"})
    r = optimize(s, "production", catalog)
    o = _opt(r.options, "Database Savings Plan 1yr No Upfront", "RDS PostgreSQL")
    assert o.on_demand_monthly_usd == Decimal("342.22")  # 0.4688 × 730 = 342.224
    assert o.effective_monthly_usd == Decimal("273.78") and o.monthly_saving_usd == Decimal("68.44")
    v = _opt(r.options, "Database Savings Plan 1yr No Upfront", "ElastiCache")
    assert v.on_demand_monthly_usd == Decimal("224.26")  # 2 × 0.1536 × 730
    assert v.effective_monthly_usd == Decimal("179.40")  # 2 × 0.12288 × 730 = 179.4048


def test_compute_savings_plan_is_indicative_and_never_planned(prod: Any) -> None:
    nu = _opt(prod.options, "Compute Savings Plan 1yr No Upfront")
    assert nu.indicative and not nu.available
    # us-east-1: 0.032384 / 0.04048 and 0.003556 / 0.004445 are both 20% off; Seoul on-demand is 165.80.
    assert nu.effective_monthly_usd == Decimal("132.64")
    assert "no Seoul rate" in nu.constraint and "cost catalog refresh" in nu.constraint
    assert not _opt(prod.options, "Compute Savings Plan 1yr Partial Upfront").available
    assert all(s.option.kind != "savings-plan" or not s.option.indicative for s in prod.plan.steps)
    assert nu.to_json()["indicative"] is True and nu.to_json()["available"] is False


def test_spot_only_for_interruption_tolerant_services(prod: Any, stack: Stack, catalog: Catalog) -> None:
    o = _opt(prod.options, "api: 50% of tasks on Fargate Spot")
    assert not o.applicable and "interruption_tolerant" in o.constraint
    r = optimize(_stack(stack, fargate={"interruption_tolerant": True}), "production", catalog, risk="high")
    o = _opt(r.options, "api: 50% of tasks on Fargate Spot")
    # Half of 2 × 730 task-hours (2 vCPU, 4 GB) on-demand, half on Spot at 0.013968 / 0.001533.
    lines = [Decimal("1460") * Decimal("0.04656"), Decimal("2920") * Decimal("0.00511"),
             Decimal("1460") * Decimal("0.013968"), Decimal("2920") * Decimal("0.001533")]
    assert o.effective_monthly_usd == sum(x.quantize(Decimal("0.01")) for x in lines) == Decimal("107.77")
    assert o.applicable and o.monthly_saving_usd == Decimal("58.03")
    assert any(s.option.kind == "spot" for s in r.plan.steps)


def test_graviton_fargate_rds_elasticache(prod: Any) -> None:
    arm = _opt(prod.options, "api: Graviton (arm64) tasks")
    # 2 × 730 × 2 × 0.03725 + 2 × 730 × 4 × 0.00409
    assert arm.effective_monthly_usd == Decimal("108.77") + Decimal("23.89")
    db = _opt(prod.options, "RDS db.t3.medium → db.t4g.medium (Graviton)")
    assert db.line == "db.t3.medium" and db.monthly_saving_usd is not None and db.monthly_saving_usd > 0
    assert _opt(prod.options, "ElastiCache Redis OSS → Valkey (cache.t3.micro)").effective_monthly_usd == \
        Decimal("29.20")  # 2 × 0.02 × 730


def test_schedules_nat_and_cloudfront_plans(stack: Stack, catalog: Catalog) -> None:
    r = optimize(stack, "staging", catalog, risk="high")
    sched = _opt(r.options, "Office hours only (264 h/month: 12 h × 22 days)")
    # staging: 1 task of 1 vCPU / 2 GB and a single-AZ db.t3.small, 730 h → 264 h; each line rounded to the cent.
    # seoul_prices.csv: Fargate,AmazonECS,Compute,APN2-Fargate-vCPU-Hours:perCPU,Fargate Linux/x86 vCPU,...,0.04656
    #                   Fargate,AmazonECS,Compute,APN2-Fargate-GB-Hours,Fargate Linux/x86 memory,...,0.00511
    #                   RDS PostgreSQL,AmazonRDS,...,APN2-InstanceUsage:db.t3.small,db.t3.small PostgreSQL Single-AZ
    #                   on-demand,...,0.056
    per_hour = [1 * Decimal("0.04656"), 2 * Decimal("0.00511"), Decimal("0.056")]
    # (33.99 − 12.29) + (7.46 − 2.70) + (40.88 − 14.78) = 52.56
    assert sched.monthly_saving_usd == sum((_c(x * 730) - _c(x * 264) for x in per_hour), Decimal(0)) \
        == Decimal("52.56")
    free = _opt(r.options, "CloudFront flat-rate plan Free")
    assert free.applicable and free.effective_monthly_usd == 0
    # Staging already draws on its account's always-free allowance, so no switch to it is offered.
    assert not [o for o in r.options if o.option == "Pay-as-you-go with the always-free allowance"]
    s = _stack(stack, "staging", nat={"gateways": 2})
    nat = _opt(optimize(s, "staging", catalog).options, "One NAT Gateway instead of 2")
    # One gateway-hour and one Elastic IP (public IPv4) less every hour:
    # seoul_prices.csv: NAT Gateway,AmazonEC2,NAT Gateway,APN2-NatGateway-Hours,Hourly charge for NAT Gateways,...,0.059
    #                   VPC,AmazonVPC,,APN2-PublicIPv4:InUseAddress,Hourly charge for In use Public IPv4 ...,0.005
    # 730 × 0.059 = 43.07, 730 × 0.005 = 3.65
    assert nat.monthly_saving_usd == _c(730 * Decimal("0.059")) + _c(730 * Decimal("0.005")) == Decimal("46.72")


def test_logging_and_s3_endpoint(prod: Any) -> None:
    # seoul_prices.csv: CloudWatch,AmazonCloudWatch,,APN2-DataProcessing-Bytes,CloudWatch Logs standard ingestion,
    # ...,GB,0.76 — exported_logs_gb typical 20: 20 × 0.76 = 15.20
    log = _opt(prod.options, "PostgreSQL log_statement all → ddl")
    assert log.monthly_saving_usd == _c(20 * Decimal("0.76")) == Decimal("15.20")
    s3 = _opt(prod.options, "S3 gateway endpoint (40 GB off the NAT)")
    assert s3.monthly_saving_usd == _c(40 * Decimal("0.059")) == Decimal("2.36")  # APN2-NatGateway-Bytes 0.059/GB


def test_plan_levels(stack: Stack, catalog: Catalog) -> None:
    low = optimize(stack, "production", catalog, risk="low").plan
    assert all(s.option.kind == "reserved" or s.option.kind == "savings-plan" for s in low.steps)
    assert all(s.option.term == "1yr" for s in low.steps)
    assert {s.option.option for s in low.steps} == {"Reserved instance 1yr Partial Upfront",
                                                    "Reserved node 1yr All Upfront"}
    assert low.monthly_saving_usd == Decimal("42.50") + Decimal("13.50")
    assert optimize(stack, "staging", catalog, risk="low").plan.steps == []
    med = optimize(stack, "production", catalog, risk="medium").plan
    high = optimize(stack, "production", catalog, risk="high").plan
    assert low.monthly_saving_usd < med.monthly_saving_usd < high.monthly_saving_usd
    assert not any(s.option.kind in ("spot", "schedule") for s in med.steps)
    # Reservations come before Savings Plans, as AWS applies them.
    kinds = [s.option.kind for s in high.steps if s.option.kind in ("reserved", "savings-plan")]
    assert kinds == sorted(kinds, key=lambda k: k != "reserved")


# -- properties -------------------------------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=5000, places=4)


@given(recurring=money, upfront=money, years=st.sampled_from([1, 3]))
def test_a_commitment_never_saves_at_zero_usage(recurring: Decimal, upfront: Decimal, years: int) -> None:
    o = priced(environment="e", service="s", line="l", option="o", kind="reserved", on_demand=Decimal(0),
               recurring=recurring, upfront=upfront, term_years=years)
    assert o.monthly_saving_usd is not None and o.monthly_saving_usd <= 0 and o.break_even_month is None


profiles = st.lists(st.decimals(min_value=0, max_value=50, places=3), min_size=1, max_size=200)
discounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("0.7"), places=2)


@settings(max_examples=60, deadline=None)
@given(usage=profiles, d=discounts)
def test_optimal_commitment_never_exceeds_peak_and_never_loses(usage: list[Decimal], d: Decimal) -> None:
    s = size("svc", usage, d, indicative=False, n_candidates=50)
    assert s.commitment_per_hour <= max(usage) * (1 - d)
    assert exact_cost(usage, d, s.commitment_per_hour) <= exact_cost(usage, d, Decimal(0))
    if max(usage) == 0:
        assert s.commitment_per_hour == 0 and s.monthly_saving_usd == 0


@settings(max_examples=40, deadline=None)
@given(usage=profiles, d=discounts, extra=st.decimals(min_value=0, max_value=20, places=2))
def test_savings_never_decrease_as_steady_usage_grows(usage: list[Decimal], d: Decimal, extra: Decimal) -> None:
    base = size("svc", usage, d, indicative=False, n_candidates=20)
    more = size("svc", [u + extra for u in usage], d, indicative=False, n_candidates=20)
    # exact savings (before rounding to the cent): more steady usage can only add covered hours
    save = exact_cost(usage, d, Decimal(0)) - exact_cost(usage, d, base.commitment_per_hour)
    more_usage = [u + extra for u in usage]
    save_more = exact_cost(more_usage, d, Decimal(0)) - exact_cost(more_usage, d, more.commitment_per_hour)
    assert save_more >= save


@settings(max_examples=25, deadline=None)
@given(env=st.sampled_from(["production", "staging", "development"]), risk=st.sampled_from(["low", "medium", "high"]),
       nodes=st.integers(min_value=1, max_value=4), multi_az=st.booleans(), tolerant=st.booleans())
def test_a_plan_never_covers_an_hour_twice(stack: Stack, catalog: Catalog, env: str, risk: str, nodes: int,
                                           multi_az: bool, tolerant: bool) -> None:
    s = _stack(stack, env, elasticache={"nodes": nodes}, rds={"multi_az": multi_az},
               fargate={"interruption_tolerant": tolerant})
    plan = optimize(s, env, catalog, risk=risk).plan  # type: ignore[arg-type]
    commitments = [p.option for p in plan.steps if p.option.kind in ("reserved", "savings-plan")]
    # The hours each commitable pool runs, from the sizing: one DB instance (Multi-AZ bills one instance-hour per
    # hour), `nodes` cache nodes; Fargate commitments are indicative only and never planned. Summed per service,
    # not per the plan's own `covers` key, so two commitments on one pool show up as more hours than it runs.
    runs = {"RDS PostgreSQL": H, "ElastiCache": H * nodes}
    covered: dict[str, Decimal] = {}
    for o in commitments:
        assert o.service in runs, o.option
        covered[o.service] = covered.get(o.service, Decimal(0)) + o.covered_units_per_month
    assert all(covered[svc] <= runs[svc] for svc in covered), covered
    assert plan.planned_monthly_usd <= plan.baseline_monthly_usd


def test_variants_priced_with_shared_lines_match_each_priced_alone(stack: Stack, catalog: Catalog) -> None:
    # The optimizer keeps each pricer's lines with the sizing fields it read; a variant must get exactly the
    # lines (quantities, prices, assumption texts) it gets when priced on its own, whatever was priced before.
    from stackcost.estimate import Shared, environment_components
    from stackcost.sizing.edit import edited

    base = stack.environments["production"]
    variants = [base, edited(base, {"rds.instance_class": "db.t4g.medium"}),
                edited(base, {"hours_per_month": Decimal("730.0")}),  # equal as a number, not as written
                edited(base, {"nat.gateways": 1}), edited(base, {"fargate.api.architecture": "arm64"}),
                edited(base, {"cloudwatch.container_insights": False}), base,
                stack.environments["staging"], stack.environments["development"]]
    shared = Shared()
    for env in variants + variants[::-1]:
        # repr: Decimals written differently (730 and 730.0) compare equal but print differently
        assert repr(environment_components(env, catalog, shared=shared)) == repr(environment_components(env, catalog))


def test_sizing_keeps_the_smaller_commitment_on_an_exact_tie() -> None:
    # Five hours at 16.526, 22.988, 29.087, 49.829, 49.829 tasks' worth of $0.09334, discount 40 %: between the
    # 22.988 and 29.087 levels exactly 3 hours = (1 − 0.4) × 5 are above the commitment, so the cost is flat there:
    # 5 × 0.6 × 22.988 + (29.087 − 22.988) + 2 × (49.829 − 22.988) = 128.745
    #  = 5 × 0.6 × 29.087 + 2 × (49.829 − 29.087), in units of $0.09334. Floats broke this tie upwards.
    k = Decimal("0.09334")
    usage = [Decimal(x) * k for x in ("16.526", "22.988", "29.087", "49.829", "49.829")]
    s = size("svc", usage, Decimal("0.4"), indicative=False)
    assert s.commitment_per_hour == Decimal("22.988") * k * Decimal("0.6") == Decimal("1.287419952")
    assert s.with_plan_monthly_usd == _c(Decimal("128.745") * k * 730 / 5) == Decimal("1754.49")
    assert s.on_demand_monthly_usd == _c(Decimal("168.259") * k * 730 / 5) == Decimal("2292.97")
