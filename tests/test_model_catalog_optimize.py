"""Issue #13: the builder's new attributes (against the CSV read with the csv module), the §9.2 reconciliation
percentages and the new `cost optimize` options, each worked out by hand from the published price strings."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from stackcost.catalog import Catalog
from stackcost.catalog.build import build
from stackcost.optimize.alternatives import (
    Context,
    aurora_graviton,
    aurora_io_optimized,
    aurora_reserved,
    rds_non_burstable,
)
from stackcost.reconcile import render_live
from stackcost.sizing.model import Environment

FIXTURE = Path(__file__).parent / "fixtures" / "aws-prices"
ROWS = list(csv.DictReader((FIXTURE / "seoul_prices.csv").open(encoding="utf-8", newline="")))


def test_builder_gives_every_new_row_price_list_style_attributes(tmp_path: Path) -> None:
    cat = Catalog.load("ap-northeast-2", build(FIXTURE, "ap-northeast-2", tmp_path).parent)
    aurora_rows = [r for r in ROWS if r["service"] == "Aurora" and r["product_family"] == "Database Instance"]
    found = cat.find("AmazonRDS", service="Aurora", product_family="Database Instance")
    assert len(found) == len(aurora_rows) == 98
    # instanceType is the full class even though RDS usage types abbreviate it (db.r6g.2xl)
    assert {r.attributes["instanceType"] for r in found} == {r["description"].split()[0] for r in aurora_rows}
    assert {(r.attributes["databaseEngine"], r.attributes["storageConfiguration"]) for r in found} == {
        (e, s) for e in ("Aurora PostgreSQL", "Aurora MySQL") for s in ("Aurora Standard", "Aurora I/O-Optimized")}
    xl = [r for r in ROWS if r["service"] == "RDS PostgreSQL" and r["usage_type"].endswith(".4xl")]
    assert xl and all(cat.find("AmazonRDS", term=r["term"] or None, usage_type=r["usage_type"],
                               instanceType=r["description"].split()[0]) for r in xl)
    for code, charge, rows in (("AWSXRay", "traces-recorded", 1), ("awskms", "customer-managed-key", 1),
                               ("AmazonCloudWatch", "dashboards", 1)):
        assert len(cat.find(code, chargeType=charge)) == rows
    sized = {r.attributes["chargeType"]: r.tier_end for r in cat.find("AmazonCloudWatch", term="FreeTier")
             if r.attributes.get("allowancePerMonth")}
    # the CSV's "free allowance per month=N" of each "Free tier:" row
    expected = {r["description"]: r["attributes"].split("free allowance per month=")[1].split(";")[0]
                for r in ROWS if r["description"].startswith("Free tier:")}
    assert sorted(sized.values(), key=int) == sorted(expected.values(), key=int)
    assert len(cat.find("AmazonElastiCache", product_family="ElastiCache Serverless")) == 4


def test_reconciliation_recomputes_section_9_2(stack: object) -> None:
    doc = render_live()
    od = Decimal("0.224")  # "db.t3.medium PostgreSQL Multi-AZ on-demand"
    no_upfront = 1 - Decimal("0.174") / od  # 1yr No Upfront 0.174/h
    partial = 1 - (Decimal("0.0829") + Decimal(726) / 8760) / od  # 1yr Partial 0.0829/h + 726 upfront
    three = 1 - (Decimal("0.056") + Decimal(1472) / 26280) / od  # 3yr Partial 0.056/h + 1,472 upfront
    for share, text in ((no_upfront, "22.3 %"), (partial, "26.0 %"), (three, "50.0 %")):
        assert f"{share * 100:.1f} %" == text and f"| {text} |" in doc
    assert "| 1-year All Upfront | not in the data |" in doc
    # us-east-1 Compute Savings Plans, Fargate x86 vCPU: 0.032384 against 0.04048 on demand
    assert f"{(1 - Decimal('0.032384') / Decimal('0.04048')) * 100:.1f} %" == "20.0 %"
    assert "No ap-northeast-2 Compute Savings Plans rate is in the data" in doc and "| 20.0 % |" in doc
    assert "Single AZ conflicts with the guide's own Terraform" in doc


AURORA = Environment.model_validate({"aurora": {
    "instances": [{"instance_class": "db.r6g.large", "count": 1}, {"instance_class": "db.serverless", "count": 1}],
    "acu": 2, "storage_gb": 100, "io_requests_millions": 50, "backup_storage_gb": 20}})


def test_io_optimized_switch_with_its_break_even_share(catalog: Catalog) -> None:
    (opt, _), = aurora_io_optimized("prod", AURORA, catalog, Context())
    # Standard: 0.313 × 730 + 0.2 × 2 × 730 + 0.12 × 100 + 0.00000024 × 50M + 0.023 × 20
    standard = Decimal("0.313") * 730 + Decimal("0.2") * 2 * 730 + Decimal("0.12") * 100 + \
        Decimal("0.00000024") * 50_000_000 + Decimal("0.023") * 20
    io = Decimal("0.00000024") * 50_000_000
    # I/O-Optimized: 0.407 × 730 + 0.26 × 2 × 730 + 0.27 × 100 + 0.023 × 20, no I/O charge
    optimized = Decimal("0.407") * 730 + Decimal("0.26") * 2 * 730 + Decimal("0.27") * 100 + Decimal("0.023") * 20
    threshold = (optimized - (standard - io)) / optimized * 100
    assert f"I/O is {io / standard * 100:.1f} %" in opt.constraint
    assert f"pays off above {threshold:.1f} %" in opt.constraint and f"{threshold:.1f}" == "24.3"
    assert opt.on_demand_monthly_usd == Decimal("544.95") and opt.monthly_recurring_usd == Decimal("704.17")
    assert opt.monthly_saving_usd is not None and opt.monthly_saving_usd < 0 and not opt.plannable


def test_aurora_graviton_and_unavailable_reservations(catalog: Catalog) -> None:
    env = AURORA.model_copy(update={"aurora": AURORA.aurora.model_copy(update={  # type: ignore[union-attr]
        "instances": [AURORA.aurora.instances[0].model_copy(update={"instance_class": "db.r6i.large"})]})})  # type: ignore[union-attr]
    (opt, _), = aurora_graviton("prod", env, catalog, Context())
    # db.r6i.large 0.35/h → db.r6g.large 0.313/h (Aurora PostgreSQL Standard), 730 h
    assert opt.monthly_saving_usd == (Decimal("0.35") - Decimal("0.313")) * 730
    reserved = [o for o, _ in aurora_reserved("prod", env, catalog, Context())]
    assert [o.term for o in reserved] == ["1yr", "3yr"] and not any(o.available for o in reserved)


def test_non_burstable_class_when_average_cpu_is_above_the_baseline(catalog: Catalog) -> None:
    busy = Environment.model_validate({"rds": {"instance_class": "db.t3.medium", "allocated_gb": 20,
                                               "average_cpu_pct": 35}})
    (opt, new), = rds_non_burstable("prod", busy, catalog, Context())
    assert new is not None and new.rds is not None and new.rds.instance_class == "db.m6i.large"
    assert "above the 20 % baseline" in opt.constraint and "no ap-northeast-2 price" in opt.constraint
    calm = busy.model_copy(update={"rds": busy.rds.model_copy(update={"average_cpu_pct": None})})  # type: ignore[union-attr]
    assert rds_non_burstable("prod", calm, catalog, Context()) == []
