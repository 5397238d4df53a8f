"""The sizing model's validation: one readable line per problem."""

from __future__ import annotations

from decimal import Decimal

import pytest

from stackcost.catalog import Catalog
from stackcost.estimate import estimate
from stackcost.sizing.load import ConfigError, parse_stack, preset_text

BASE = """
environments:
  production:
    fargate:
      - name: api
        tasks: 2
        vcpu: 2
        memory_gb: {memory}
    rds:
      {rds_key}: {rds_class}
      multi_az: true
      allocated_gb: 100
"""


def stack_text(memory: str = "4", rds_key: str = "instance_class", rds_class: str = "db.t3.medium") -> str:
    return BASE.format(memory=memory, rds_key=rds_key, rds_class=rds_class)


def errors_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        parse_stack(text, "cost.yaml")
    return exc.value.lines


def test_unknown_field_suggests_the_right_one() -> None:
    assert "production.rds.instnce_class: unknown field (did you mean instance_class?)" in errors_of(
        stack_text(rds_key="instnce_class"))


def test_invalid_fargate_memory_names_service_and_range() -> None:
    (line,) = errors_of(stack_text(memory="3"))
    assert line == "production.fargate[api].memory_gb: 3 is not valid with 2 vCPU (4-16 GB in 1 GB steps; nearest: 4)"


def test_instance_class_not_in_the_catalog(catalog: Catalog) -> None:
    stack = parse_stack(stack_text(rds_class="db.t3.mediun"))
    with pytest.raises(ConfigError) as exc:
        estimate(stack, "production", catalog)
    assert exc.value.lines == [
        "production.rds.instance_class: db.t3.mediun not in the Seoul catalog (did you mean db.t3.medium?)"]


def test_malformed_yaml_has_line_and_column() -> None:
    (line,) = errors_of("environments:\n  production:\n    fargate: [\n")
    assert line.startswith("cost.yaml:4:1: ")


def test_bands_accept_a_number_or_low_typical_high() -> None:
    text = stack_text() + "    nat:\n      gateways: 1\n      data_processed_gb: {low: 1, typical: 2, high: 3}\n"
    nat = parse_stack(text).environments["production"].nat
    assert nat is not None and nat.data_processed_gb.typical == Decimal(2)
    (line,) = errors_of(stack_text() + "    nat:\n      gateways: 1\n      data_processed_gb: {low: 3, typical: 2, "
                                       "high: 1}\n")
    assert line.startswith("production.nat.data_processed_gb: needs 0 <= low <= typical <= high")


def test_spot_needs_interruption_tolerance() -> None:
    text = stack_text().replace("memory_gb: 4", "memory_gb: 4\n        spot_share: 0.5")
    (line,) = errors_of(text)
    assert "interruption_tolerant" in line


def test_autoscaling_profile_average(catalog: Catalog) -> None:
    text = stack_text().replace("tasks: 2", "tasks: {desired: 2, min: 2, max: 4, profile: [{tasks: 2, share: 0.75},"
                                            " {tasks: 4, share: 0.25}]}")
    est = estimate(parse_stack(text), "production", catalog)
    vcpu = next(i for i in est.items if i.component.startswith("api: vCPU"))
    assert vcpu.quantity == Decimal("2.5") * 730 * 2


def test_preset_parses_and_every_assumed_number_is_commented() -> None:
    stack = parse_stack(preset_text())
    assert set(stack.environments) == {"production", "staging", "development"}
    prod = preset_text().split("\n  staging:")[0]
    for ln in prod.splitlines():
        if not ln.strip() or ln.strip().startswith(("region", "environments", "production", "-", "#")) \
                or ln.strip().endswith(":"):
            continue
        assert "#" in ln or ln.strip().startswith(("tasks", "memory_gb", "architecture", "multi_az")), ln
