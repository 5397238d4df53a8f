"""The pure diff (stackcost.diff.compare_stacks, what the what-if page calls): pairing by stable key on edits of
the preset sizing. Amounts are worked out from the price strings of tests/fixtures/aws-prices/seoul_prices.csv
(730 h a month, each line rounded to the cent half up, as the estimate documents)."""

from __future__ import annotations

from decimal import Decimal

from stackcost.catalog import Catalog
from stackcost.diff import compare_stacks
from stackcost.sizing.load import parse_stack, preset_text
from stackcost.sizing.model import Stack
from tests.test_diff import HOURS, cents, on_demand

PRESET = preset_text()


def edited(old: str, new: str, count: int = 1) -> Stack:
    assert PRESET.count(old) >= count, old
    return parse_stack(PRESET.replace(old, new, count))


def test_node_class_change_is_one_changed_line(stack: Stack, catalog: Catalog) -> None:
    head = edited("node_type: cache.t3.micro           # §9.1", "node_type: cache.t4g.micro")
    prod = compare_stacks(stack, head, catalog, ["production"], commitments=False).environments[0]
    t3 = on_demand("APN2-NodeUsage:cache.t3.micro", cacheEngine="Redis")  # "0.025"
    t4g = on_demand("APN2-NodeUsage:cache.t4g.micro", cacheEngine="Redis")  # "0.024"
    assert [(c.status, c.service) for c in prod.changes] == [("changed", "ElastiCache")]
    c = prod.changes[0]
    assert "cache.t3.micro" in c.before_component and "cache.t4g.micro" in c.component
    assert (c.before_usd, c.after_usd) == (cents(2 * HOURS * t3), cents(2 * HOURS * t4g))  # 2 nodes
    assert prod.delta_usd == cents(2 * HOURS * t4g) - cents(2 * HOURS * t3)


def test_architecture_change_pairs_the_task_lines(stack: Stack, catalog: Catalog) -> None:
    head = edited("architecture: x86_64", "architecture: arm64")  # production's api service (the first one)
    prod = compare_stacks(stack, head, catalog, ["production"], commitments=False).environments[0]
    x86 = (on_demand("APN2-Fargate-vCPU-Hours:perCPU"), on_demand("APN2-Fargate-GB-Hours"))
    arm = (on_demand("APN2-Fargate-ARM-vCPU-Hours:perCPU"), on_demand("APN2-Fargate-ARM-GB-Hours"))
    fargate = [c for c in prod.changes if c.service == "ECS Fargate"]
    assert [c.status for c in fargate] == ["changed", "changed"]
    # 2 tasks of 2 vCPU and 4 GB, 730 h.
    for c, size, old, new in zip(fargate, (2, 4), x86, arm, strict=True):
        assert (c.before_usd, c.after_usd) == (cents(HOURS * 2 * size * old), cents(HOURS * 2 * size * new))


def test_a_removed_service_does_not_pair_with_a_similar_name(stack: Stack, catalog: Catalog) -> None:
    """`api` and `api2`: removing `api` removes its lines and leaves `api2`'s alone (numbers in names kept)."""
    block = PRESET.split("    fargate:\n", 1)[1].split("    rds:", 1)[0]  # production's fargate list
    two = PRESET.replace(block, block + block.replace("- name: api", "- name: api2"), 1)
    base = parse_stack(two)
    head = parse_stack(two.replace(block, "", 1))
    prod = compare_stacks(base, head, catalog, ["production"], commitments=False).environments[0]
    fargate = [c for c in prod.changes if c.service == "ECS Fargate"]
    assert fargate and all(c.status == "removed" and c.component.startswith("api:") for c in fargate)
    assert not [c for c in prod.changes if "api2" in c.component]


def test_a_removed_environment(stack: Stack, catalog: Catalog) -> None:
    text = PRESET.split("  development:", 1)[0]
    head = parse_stack(text)
    assert "development" not in head.environments
    d = compare_stacks(stack, head, catalog, commitments=False)
    dev = next(e for e in d.environments if e.name == "development")
    assert dev.after is None and dev.before is not None
    assert len(dev.changes) == len(dev.before.items) and {c.status for c in dev.changes} == {"removed"}
    assert dev.delta_usd == -dev.before.total and dev.delta_pct == Decimal("-100.00")
    assert dev.to_json()["after_monthly_usd"] == "0.00"
    assert [e.delta_usd for e in d.environments if e.name != "development"] == [0, 0]
