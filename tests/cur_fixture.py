"""A CUR 2.0 (Data Exports) Parquet file for the Seoul stack, built from real prices: each estimate line's cost per
day (a day's share of the 730-hour month) for November 2026, days 1-26, with the real usage types, the
Environment tag in `resource_tags`, and Korean VAT (10 %) as Tax lines. Production runs 3 API tasks instead of the
2 the config plans, so the report has a real variance to find. Regenerate: `python -m tests.cur_fixture`."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from stackcost.catalog import Catalog
from stackcost.estimate import environment_components
from stackcost.sizing.load import load_stack
from stackcost.ui.scenario import apply, stack_with

PATH = Path(__file__).parent / "fixtures" / "cur" / "2026-11" / "cur2-hospital-erp-2026-11.parquet"
DAYS = 26
DAY_SHARE = Decimal(24) / Decimal(730)


def actual_stack():  # type: ignore[no-untyped-def]
    stack = load_stack(None)[0]
    prod = apply(stack.environments["production"], {"fargate.api.tasks": "3"})
    return stack_with(stack, "production", prod)


def rows() -> list[tuple[object, ...]]:
    catalog = Catalog.load("ap-northeast-2")
    stack = actual_stack()
    out: list[tuple[object, ...]] = []
    period = datetime(2026, 11, 1)
    for env_name, env in stack.environments.items():
        comps = environment_components(env, catalog, env_name)
        for day in range(DAYS):
            start = period + timedelta(days=day)
            day_total = Decimal(0)
            for comp in comps:
                cost = comp.cost() * DAY_SHARE
                qty = comp.quantity.typical * DAY_SHARE
                day_total += cost
                # The price record's service code is the product code CUR bills the usage under.
                code = comp.record.service_code
                out.append((period, start, start + timedelta(days=1), "Usage", code, code, comp.record.usage_type,
                            comp.record.operation, float(qty),
                            float(cost), float(cost), 0.0, 0.0, {"user_environment": env_name}, "ap-northeast-2"))
            tax = day_total * Decimal("0.10")
            out.append((period, start, start + timedelta(days=1), "Tax", "AWS", None, "", "", 0.0, float(tax),
                        float(tax), 0.0, 0.0, {"user_environment": env_name}, "ap-northeast-2"))
    return out


def write(path: Path = PATH) -> Path:
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("""CREATE TABLE cur (bill_billing_period_start_date TIMESTAMP, line_item_usage_start_date TIMESTAMP,
        line_item_usage_end_date TIMESTAMP, line_item_line_item_type VARCHAR, line_item_product_code VARCHAR,
        product_servicecode VARCHAR, line_item_usage_type VARCHAR, line_item_operation VARCHAR,
        line_item_usage_amount DOUBLE, line_item_unblended_cost DOUBLE, pricing_public_on_demand_cost DOUBLE,
        savings_plan_savings_plan_effective_cost DOUBLE, reservation_effective_cost DOUBLE,
        resource_tags MAP(VARCHAR, VARCHAR), product_region_code VARCHAR)""")
    con.executemany("INSERT INTO cur VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, MAP(?, ?), ?)",
                    [(*r[:13], list(r[13]), list(r[13].values()), r[14]) for r in rows()])  # type: ignore[union-attr]
    con.execute(f"COPY cur TO '{path}' (FORMAT PARQUET)")
    con.close()
    return path


if __name__ == "__main__":
    print(write())
