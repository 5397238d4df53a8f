"""`optimize(stack, environment, catalog)`: every option, the recommended plan and Savings Plan sizing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stackcost.catalog import Catalog
from stackcost.estimate import EstimateError, cents, estimate
from stackcost.optimize import sp_sizing
from stackcost.optimize.alternatives import OFFICE_HOURS, Context, alternative_options
from stackcost.optimize.commitments import commitment_options, compute_sp_discounts
from stackcost.optimize.options import Option, Risk
from stackcost.optimize.plan import Plan, build_plan
from stackcost.services import fargate
from stackcost.sizing.model import Environment, Stack
from stackcost.util import plain

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = 1


class OptimizeResult:
    """Every option, the plan and the Savings Plan sizing of one environment (a plain class, see
    stackcost.values)."""

    def __init__(self, environment: str, region: str, risk: Risk, baseline_monthly_usd: Decimal,
                 options: list[Option], plan: Plan, sizing: list[sp_sizing.Sizing], notes: list[str] | None = None,
                 published_min: str = "", published_max: str = "") -> None:
        self.environment = environment
        self.region = region
        self.risk = risk
        self.baseline_monthly_usd = baseline_monthly_usd
        self.options = options
        self.plan = plan
        self.sizing = sizing
        self.notes = [] if notes is None else notes
        self.published_min = published_min
        self.published_max = published_max

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"OptimizeResult({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"

    @property
    def options_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([o.model_dump() for o in self.options])

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "environment": self.environment,
            "region": self.region,
            "currency": "USD",
            "risk": self.risk,
            "catalog": {"published_min": self.published_min, "published_max": self.published_max},
            "baseline_monthly_usd": str(cents(self.baseline_monthly_usd)),
            "options": [o.to_json() for o in self.options],
            "plan": {
                "rule": self.plan.rule,
                "baseline_monthly_usd": str(cents(self.plan.baseline_monthly_usd)),
                "planned_monthly_usd": str(cents(self.plan.planned_monthly_usd)),
                "monthly_saving_usd": str(cents(self.plan.monthly_saving_usd)),
                "saving_pct": str(self.plan.saving_pct.quantize(Decimal("0.1"))),
                "upfront_usd": str(cents(self.plan.upfront_usd)),
                "steps": [{"option": s.option.option, "service": s.option.service, "line": s.option.line,
                           "kind": s.option.kind, "term": s.option.term,
                           "purchase_option": s.option.purchase_option,
                           "monthly_saving_usd": str(cents(s.monthly_saving_usd))} for s in self.plan.steps],
                "coverage": {k: plain(v) for k, v in self.plan.coverage.items()},
                "left_out": self.plan.left_out,
            },
            "savings_plan_sizing": [{
                "service": s.service, "indicative": s.indicative, "discount_pct": str((s.discount * 100).quantize(
                    Decimal("0.01"))), "hours": s.hours,
                "commitment_per_hour_usd": plain(s.commitment_per_hour.quantize(Decimal("0.000001"))),
                "on_demand_monthly_usd": str(s.on_demand_monthly_usd),
                "with_plan_monthly_usd": str(s.with_plan_monthly_usd),
                "monthly_saving_usd": str(s.monthly_saving_usd),
                "peak_on_demand_per_hour_usd": plain(s.peak_per_hour.quantize(Decimal("0.000001"))),
            } for s in self.sizing],
            "notes": self.notes,
        }


def _free_tier_env(stack: Stack) -> str | None:
    return next((name for name, env in stack.environments.items()
                 if env.cloudfront is not None and env.cloudfront.always_free_tier), None)


def fargate_sizing(name: str, env: Environment, catalog: Catalog, usage_csv: Path | None = None,
                   usage_service: str | None = None) -> list[sp_sizing.Sizing]:
    """Compute Savings Plan sizing per Fargate service (1yr No Upfront discount, indicative without Seoul rates)."""
    out = []
    for svc in env.fargate:
        if svc.spot_share >= 1:
            continue
        discounts, indicative, _ = compute_sp_discounts(catalog, svc.architecture)
        d = discounts.get((1, "No Upfront")) or next(iter(discounts.values()), None)
        if d is None:
            continue
        per_task = {r: fargate.on_demand_rate(catalog, svc.architecture, r).price * size
                    for r, size in (("vCPU", svc.vcpu), ("memory", svc.memory_gb))}
        task_od = sum(per_task.values(), Decimal(0)) * (1 - svc.spot_share)
        blended = sum((per_task[r] * d[r] for r in per_task), Decimal(0)) / sum(per_task.values(), Decimal(0))
        if usage_csv is not None and usage_service in (None, svc.name):
            tasks = sp_sizing.read_usage_csv(usage_csv)
        else:
            tasks = [Decimal(t) for t in sp_sizing.hourly_tasks(svc)]
        out.append(sp_sizing.size(svc.name, [t * task_od for t in tasks], blended, indicative=indicative))
    return out


def optimize(stack: Stack, environment: str, catalog: Catalog, *, risk: Risk = "medium",
             usage_csv: Path | None = None, usage_service: str | None = None,
             schedule_hours: Decimal = OFFICE_HOURS) -> OptimizeResult:
    est = estimate(stack, environment, catalog)  # validates the environment and every price first
    env = stack.environments[environment]
    if usage_service is not None and usage_service not in {s.name for s in env.fargate}:
        raise EstimateError(f"no Fargate service {usage_service!r} in {environment}")
    ctx = Context(free_tier_env=_free_tier_env(stack), schedule_hours=schedule_hours)
    options = commitment_options(environment, env, catalog)
    options += [o for o, _ in alternative_options(environment, env, catalog, ctx)]
    plan = build_plan(environment, env, catalog, ctx, risk)
    sizing = fargate_sizing(environment, env, catalog, usage_csv, usage_service)
    notes = []
    if any(o.indicative for o in options):
        notes.append("Compute Savings Plan rows marked INDICATIVE use another region's discount: there is no Seoul "
                     "rate in the catalog. They are never in the plan.")
    if any(not o.available and not o.indicative for o in options):
        notes.append("Rows without numbers are offerings the catalog has no rate for; nothing is invented.")
    return OptimizeResult(environment=environment, region=stack.region, risk=risk, baseline_monthly_usd=est.total,
                          options=options, plan=plan, sizing=sizing, notes=notes, published_min=est.published_min,
                          published_max=est.published_max)
