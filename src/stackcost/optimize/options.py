"""One way to pay less for one line of an estimate, with the money worked out the same way for every kind.

Conventions (documented in the README, checked by tests):
- a month is 730 hours (AWS bills commitments per hour of the term: 8,760 h / 12);
- effective monthly = monthly recurring + upfront / months of the term;
- break-even month = first month whose cumulative cost (upfront + m × recurring) is at most m × on-demand;
- total over 1 / 3 years = cash paid in the first 12 / 36 months (a 1-year term renewed; a 3-year term's upfront
  falls in year 1).
Money stays exact; the effective and on-demand monthly figures are rounded to the cent before the saving is
taken, so every row adds up.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from stackcost.estimate import cents

Kind = Literal["reserved", "savings-plan", "spot", "graviton", "switch", "schedule", "network", "cloudfront",
               "logging"]
Risk = Literal["low", "medium", "high"]
RISKS: tuple[Risk, ...] = ("low", "medium", "high")


class Option(BaseModel):
    model_config = ConfigDict(frozen=True)

    environment: str
    service: str
    line: str  # the estimate line(s) it replaces
    option: str
    kind: Kind
    term: str = ""  # "1yr" / "3yr" for commitments
    purchase_option: str = ""
    upfront_usd: Decimal | None = None
    monthly_recurring_usd: Decimal | None = None
    effective_monthly_usd: Decimal | None = None
    on_demand_monthly_usd: Decimal
    monthly_saving_usd: Decimal | None = None
    saving_pct: Decimal | None = None
    break_even_month: int | None = None
    total_1y_usd: Decimal | None = None
    total_3y_usd: Decimal | None = None
    on_demand_1y_usd: Decimal
    on_demand_3y_usd: Decimal
    available: bool = True  # false: the catalog has no rate for it (nothing is invented)
    indicative: bool = False  # true: estimated from another region's rates, never a Seoul price
    applicable: bool = True  # false: the sizing rules it out (e.g. Spot for a service not interruption-tolerant)
    risk: Risk = "low"
    constraint: str = ""
    covers: str = ""  # the usage a commitment covers (one key per line): a plan never covers it twice
    covered_units_per_month: Decimal = Decimal(0)
    rate_codes: tuple[str, ...] = ()

    @property
    def term_months(self) -> int:
        return 12 * int(self.term.rstrip("yr")) if self.term else 0

    @property
    def plannable(self) -> bool:
        return self.available and self.applicable and not self.indicative and (self.monthly_saving_usd or 0) > 0

    def to_json(self) -> dict[str, Any]:
        def money(v: Decimal | None) -> str | None:
            return None if v is None else str(cents(v))

        return {
            "environment": self.environment, "service": self.service, "line": self.line, "option": self.option,
            "kind": self.kind, "term": self.term, "purchase_option": self.purchase_option,
            "upfront_usd": money(self.upfront_usd), "monthly_recurring_usd": money(self.monthly_recurring_usd),
            "effective_monthly_usd": money(self.effective_monthly_usd),
            "on_demand_monthly_usd": money(self.on_demand_monthly_usd),
            "monthly_saving_usd": money(self.monthly_saving_usd),
            "saving_pct": None if self.saving_pct is None else str(self.saving_pct.quantize(Decimal("0.1"),
                                                                                           ROUND_HALF_UP)),
            "break_even_month": self.break_even_month,
            "total_1y_usd": money(self.total_1y_usd), "total_3y_usd": money(self.total_3y_usd),
            "on_demand_1y_usd": money(self.on_demand_1y_usd), "on_demand_3y_usd": money(self.on_demand_3y_usd),
            "available": self.available, "indicative": self.indicative, "applicable": self.applicable,
            "risk": self.risk, "constraint": self.constraint, "covers": self.covers,
            "rate_codes": list(self.rate_codes),
        }


def break_even(upfront: Decimal, recurring: Decimal, on_demand: Decimal, term_months: int) -> int | None:
    """First month m with upfront + m × recurring <= m × on_demand; None if never within the term."""
    if recurring >= on_demand:
        return None
    m = max(1, math.ceil(upfront / (on_demand - recurring)))
    return m if not term_months or m <= term_months else None


def priced(
    *, environment: str, service: str, line: str, option: str, kind: Kind, on_demand: Decimal,
    recurring: Decimal, upfront: Decimal = Decimal(0), term_years: int = 0, purchase_option: str = "",
    **extra: Any,
) -> Option:
    """An option with all its money derived from on-demand monthly, recurring monthly and upfront."""
    months = 12 * term_years
    od = cents(on_demand)
    effective = cents(recurring + (upfront / months if months else Decimal(0)))
    saving = od - effective
    renewals_3y = 3 if term_years == 1 else 1
    return Option(
        environment=environment, service=service, line=line, option=option, kind=kind,
        term=f"{term_years}yr" if term_years else "", purchase_option=purchase_option,
        upfront_usd=upfront, monthly_recurring_usd=recurring, effective_monthly_usd=effective,
        on_demand_monthly_usd=od, monthly_saving_usd=saving,
        saving_pct=(saving / od * 100) if od else None,
        break_even_month=break_even(upfront, recurring, on_demand, months) if saving > 0 else None,
        total_1y_usd=upfront + 12 * recurring, total_3y_usd=renewals_3y * upfront + 36 * recurring,
        on_demand_1y_usd=12 * on_demand, on_demand_3y_usd=36 * on_demand, **extra,
    )


def unavailable(*, environment: str, service: str, line: str, option: str, kind: Kind, on_demand: Decimal,
                term_years: int = 0, purchase_option: str = "", constraint: str, risk: Risk = "medium",
                **extra: Any) -> Option:
    """An option the catalog has no rate for: listed, with no numbers, never invented."""
    return Option(environment=environment, service=service, line=line, option=option, kind=kind,
                  term=f"{term_years}yr" if term_years else "", purchase_option=purchase_option,
                  on_demand_monthly_usd=cents(on_demand), on_demand_1y_usd=12 * on_demand,
                  on_demand_3y_usd=36 * on_demand, available=False, constraint=constraint, risk=risk, **extra)


def cumulative_costs(options: list[Option], months: int = 36) -> list[dict[str, Any]]:
    """Month-by-month cumulative cash for each priced option and its on-demand line (a 1-year term's upfront is
    paid again at months 13 and 25). Rows: option, month, cumulative_usd, on_demand_cumulative_usd."""
    rows: list[dict[str, Any]] = []
    for o in options:
        if o.monthly_recurring_usd is None or o.upfront_usd is None:
            continue
        term = o.term_months or months
        paid = Decimal(0)
        for m in range(1, months + 1):
            if (m - 1) % term == 0:
                paid += o.upfront_usd
            paid += o.monthly_recurring_usd
            rows.append({"option": f"{o.service}: {o.option}", "month": m, "cumulative_usd": float(paid),
                         "on_demand_cumulative_usd": float(o.on_demand_monthly_usd * m)})
    return rows
