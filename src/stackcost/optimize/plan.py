"""A recommended plan: sizing changes first (each priced on the result of the previous one), then at most one
commitment per line, reservations before Savings Plans as AWS applies them. No usage is covered twice, and Spot
hours are never under a Savings Plan (Fargate plans cover the on-demand share only)."""

from __future__ import annotations

from decimal import Decimal

from stackcost.catalog import Catalog
from stackcost.optimize.alternatives import GENERATORS, Context
from stackcost.optimize.commitments import commitment_options
from stackcost.optimize.options import RISKS, Option, Risk
from stackcost.sizing.model import Environment
from stackcost.values import Value

RISK_RULES = {
    "low": "1-year commitments on steady production usage only",
    "medium": "commitments on all steady usage (1 or 3 years) and low-disruption changes: gp3, Valkey, Graviton "
              "for RDS/ElastiCache, NAT and S3 endpoint, CloudFront plan, logging",
    "high": "also Fargate Spot (interruption-tolerant services), office-hours schedules outside production, and "
            "arm64 Fargate tasks",
}


# Plain values, not pydantic models: they only hold what build_plan worked out (its Options are validated
# models), and a pydantic class costs milliseconds to build at import.
class PlanStep(Value):
    """One step of the plan and what it saves."""

    option: Option
    monthly_saving_usd: Decimal  # on the environment as the earlier steps left it
    _fields = ("option", "monthly_saving_usd")

    def __init__(self, option: Option, monthly_saving_usd: Decimal) -> None:
        self._set(option=option, monthly_saving_usd=monthly_saving_usd)


class Plan(Value):
    """Sizing changes, then commitments, and the money before and after."""

    environment: str
    risk: Risk
    rule: str
    baseline_monthly_usd: Decimal
    planned_monthly_usd: Decimal
    upfront_usd: Decimal
    steps: list[PlanStep]
    coverage: dict[str, Decimal]  # covered usage per line key (units per month)
    left_out: list[str]
    _fields = ("environment", "risk", "rule", "baseline_monthly_usd", "planned_monthly_usd", "upfront_usd", "steps",
               "coverage", "left_out")

    def __init__(self, environment: str, risk: Risk, rule: str, baseline_monthly_usd: Decimal,
                 planned_monthly_usd: Decimal, upfront_usd: Decimal, steps: list[PlanStep],
                 coverage: dict[str, Decimal], left_out: list[str]) -> None:
        self._set(environment=environment, risk=risk, rule=rule, baseline_monthly_usd=baseline_monthly_usd,
                  planned_monthly_usd=planned_monthly_usd, upfront_usd=upfront_usd, steps=steps, coverage=coverage,
                  left_out=left_out)

    @property
    def monthly_saving_usd(self) -> Decimal:
        return self.baseline_monthly_usd - self.planned_monthly_usd

    @property
    def saving_pct(self) -> Decimal:
        return self.monthly_saving_usd / self.baseline_monthly_usd * 100 if self.baseline_monthly_usd else Decimal(0)


def _allowed(opt: Option, risk: Risk) -> bool:
    return RISKS.index(opt.risk) <= RISKS.index(risk)


def build_plan(name: str, env: Environment, catalog: Catalog, ctx: Context, risk: Risk) -> Plan:
    baseline = sum(ctx.service_totals(env, catalog, name).values(), Decimal(0))
    current = env
    adjustments = Decimal(0)
    steps: list[PlanStep] = []
    left_out: list[str] = []
    if risk != "low":
        for gen in GENERATORS:
            done: set[str] = set()
            while True:
                alts = [(o, e) for o, e in gen(name, current, catalog, ctx) if o.line not in done]
                if not alts:
                    break
                ok = [(o, e) for o, e in alts if o.plannable and _allowed(o, risk)]
                for o, _ in alts:
                    if o.plannable and not _allowed(o, risk):
                        left_out.append(f"{o.option}: {o.risk} risk")
                if not ok:
                    break
                best, new_env = max(ok, key=lambda a: a[0].monthly_saving_usd or Decimal(0))
                done.add(best.line)
                steps.append(PlanStep(option=best, monthly_saving_usd=best.monthly_saving_usd or Decimal(0)))
                if new_env is None:
                    adjustments += best.monthly_saving_usd or Decimal(0)
                else:
                    current = new_env
    # Commitments on what the changes left, one per line, best saving first considered.
    chosen: dict[str, Option] = {}
    for opt in commitment_options(name, current, catalog):
        if opt.indicative:
            if opt.purchase_option == "No Upfront" and opt.term == "1yr":
                left_out.append(f"{opt.line}: Compute Savings Plan (indicative only, no Seoul rate in the catalog)")
            continue
        if not opt.plannable or not _allowed(opt, risk):
            continue
        if risk == "low" and (name != "production" or opt.term != "1yr"):
            continue
        have = chosen.get(opt.covers)
        if have is None or (opt.monthly_saving_usd or 0) > (have.monthly_saving_usd or 0):
            chosen[opt.covers] = opt
    commitments = sorted(chosen.values(), key=lambda o: (o.kind != "reserved", o.service, o.line))
    coverage: dict[str, Decimal] = {}
    for opt in commitments:
        steps.append(PlanStep(option=opt, monthly_saving_usd=opt.monthly_saving_usd or Decimal(0)))
        coverage[opt.covers] = coverage.get(opt.covers, Decimal(0)) + opt.covered_units_per_month
    after_changes = sum(ctx.service_totals(current, catalog, name).values(), Decimal(0)) - adjustments
    planned = after_changes - sum((o.monthly_saving_usd or Decimal(0) for o in commitments), Decimal(0))
    upfront = sum((o.upfront_usd or Decimal(0) for o in commitments), Decimal(0))
    return Plan(environment=name, risk=risk, rule=RISK_RULES[risk], baseline_monthly_usd=baseline,
                planned_monthly_usd=planned, upfront_usd=upfront, steps=steps, coverage=coverage,
                left_out=sorted(set(left_out)))
