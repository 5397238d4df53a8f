"""The report's numbers: per environment the budget, the estimate, actual spend to date and the month-end
forecast with a status; per service the variance against the estimate to date; unmodelled spend; commitments.

The estimate is the sizing model's month (730 h); "to date" is its hourly rate times the hours elapsed. Money is
Decimal and rounded to the cent only where shown."""

from __future__ import annotations

import calendar
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from stackcost.catalog import Catalog
from stackcost.estimate import HOURS_PER_MONTH, cents, estimate
from stackcost.report.actuals import ActualRow, Actuals
from stackcost.sizing.model import Stack

SCHEMA_VERSION = 1
KOREAN_VAT = Decimal("0.10")  # VAT on AWS invoices to Korean customers; --vat changes it


def c(v: Decimal | None) -> Decimal | None:
    return None if v is None else cents(v)


@dataclass
class Options:
    month: str  # YYYY-MM
    as_of: date
    threshold_pct: Decimal = Decimal(10)
    threshold_usd: Decimal = Decimal(10)
    vat_rate: Decimal = KOREAN_VAT
    krw_per_usd: Decimal | None = None
    krw_date: str = ""
    budget_usd: Decimal | None = None  # --budget: overrides config and AWS Budgets for the chosen environment(s)
    risk: str = "medium"

    @property
    def start(self) -> date:
        y, m = map(int, self.month.split("-"))
        return date(y, m, 1)

    @property
    def end(self) -> date:  # exclusive
        s = self.start
        return date(s.year + (s.month == 12), s.month % 12 + 1, 1)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.start.year, self.start.month)[1]

    @property
    def elapsed(self) -> int:
        """Complete days with data: up to the day before `as_of`, within the month."""
        last = min(self.as_of, self.end)
        return max(0, (last - self.start).days)


@dataclass
class ServiceRow:
    service: str
    estimate_month: Decimal
    estimate_to_date: Decimal
    actual_to_date: Decimal | None
    variance: Decimal | None
    variance_pct: Decimal | None
    flagged: bool


@dataclass
class UsageTypeRow:
    """One usage type of one environment: what the bill measured to date beside the estimate line that prices it."""
    service: str  # our service, or the billing name when not modelled
    usage_type: str
    unit: str
    actual_quantity: Decimal | None
    actual_usd: Decimal | None
    estimate_quantity_to_date: Decimal | None  # the estimate line's monthly quantity × the share of the month
    estimate_to_date: Decimal | None
    estimate_component: str  # the estimate line ("" = no line prices this usage type)
    estimate_quantity_month: Decimal | None = None  # what the estimate assumed for the month (730 h)
    sizing_field: str = ""  # the sizing field this usage type measures (cost calibrate), "" = none
    suggested: Decimal | None = None  # the observed rate as that field's value (per 730 h; tasks for Fargate)


@dataclass
class EnvReport:
    name: str
    budget: Decimal | None
    budget_source: str
    estimate_month: Decimal
    estimate_to_date: Decimal
    actual_to_date: Decimal | None
    amortized_to_date: Decimal | None
    forecast: Decimal | None
    forecast_method: str
    status: str
    services: list[ServiceRow]
    unmodelled: list[tuple[str, Decimal]]
    daily: list[tuple[str, Decimal]]  # (day, cumulative actual)
    plan_upfront: Decimal
    plan_monthly_amortized: Decimal
    plan_saving: Decimal
    plan_steps: list[str]
    assumptions: list[str] = field(default_factory=list)
    charges: list[tuple[str, Decimal]] = field(default_factory=list)  # tagged credits, refunds, fees... by label
    usage_types: list[UsageTypeRow] = field(default_factory=list)
    # The estimate's priced lines (service, component, monthly_usd, quantity, unit, unit_price_usd, sku, rate_code,
    # published, source), for the workbook's line-item sheet.
    line_items: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Report:
    options: Options
    generated_at: str
    actuals_source: str
    actuals_unavailable: str
    environments: list[EnvReport]
    published_min: str
    published_max: str
    previous: dict[str, Any] | None = None
    # The whole month of the source, environments or not (issue #15's JSON contract). `*_usd` are None when the
    # account is billed in another currency and no --krw-rate converts it; `billed` keeps the amounts as billed.
    actuals_format: str = ""
    actuals_currency: str = "USD"
    actuals_total_usd: Decimal | None = None  # all AWS charges, credits and refunds included, tax excluded
    amortized_total_usd: Decimal | None = None
    tax_usd: Decimal | None = None
    credits_usd: Decimal | None = None
    unallocated_usd: Decimal | None = None  # spend without the tag, or with a value matching no environment
    unallocated_tag_values: list[str] = field(default_factory=list)  # "" = untagged
    unallocated_by_service: list[tuple[str, Decimal]] = field(default_factory=list)
    charges: list[tuple[str, Decimal]] = field(default_factory=list)  # tax, credits, refunds, RI/SP fees, ...
    billed: dict[str, Any] = field(default_factory=dict)  # {"currency", "total", "tax", "credits", "unallocated"}
    other_providers_skipped: int = 0
    rows_read: int = 0
    tag_key: str = "Environment"
    actuals_notes: list[str] = field(default_factory=list)
    freshness: dict[str, Any] | None = None  # the catalog's age and sources (report.freshness.Freshness.to_json)

    def totals(self) -> dict[str, Decimal | None]:
        def s(attr: str) -> Decimal | None:
            vals = [getattr(e, attr) for e in self.environments]
            return None if any(v is None for v in vals) else sum(vals, Decimal(0))

        return {k: s(k) for k in ("budget", "estimate_month", "estimate_to_date", "actual_to_date", "forecast")}

    def to_json(self) -> dict[str, Any]:
        def conv(o: Any) -> Any:
            if isinstance(o, Decimal):
                return str(c(o))
            if isinstance(o, date):
                return o.isoformat()
            if isinstance(o, dict):
                return {k: conv(v) for k, v in o.items()}
            if isinstance(o, list | tuple):
                return [conv(v) for v in o]
            return o

        data = conv(asdict(self))
        data["schema_version"] = SCHEMA_VERSION
        data["totals"] = conv(self.totals())
        return dict(data)


def _status(budget: Decimal | None, actual: Decimal | None, forecast: Decimal | None) -> str:
    if budget is None:
        return "no budget"
    if actual is None:
        return "no actual spend data"
    if actual > budget:
        return "over"
    if forecast is not None and forecast > budget:
        return "at risk"
    return "on track"


def build(stack: Stack, catalog: Catalog, envs: list[str], actuals: Actuals, opts: Options,
          previous: dict[str, Any] | None = None, tag_key: str = "Environment") -> Report:
    from stackcost.optimize import optimize
    from stackcost.report.billing.allocate import CHARGE_LABELS, Resolver, split

    out = []
    # The estimate is a 730-hour month; to date it is its hourly rate times the hours elapsed (most of the bill is
    # hourly), so a 30-day month is not read as 1.4 % under budget.
    share = Decimal(opts.elapsed * 24) / HOURS_PER_MONTH
    resolve = Resolver(stack.environments, getattr(stack, "tag_values", None) or {})
    rate, unavailable = _to_usd(actuals, opts)
    all_rows = [] if unavailable else actuals.rows
    if rate is not None and rate != 1:
        all_rows = [_convert(r, rate) for r in all_rows]
    have = not unavailable
    for name in envs:
        est = estimate(stack, name, catalog)
        by_service = est.by_service()
        rows = [r for r in all_rows if resolve(r.environment) == name]
        actual_by: dict[str, Decimal] = {}
        unmodelled: dict[str, Decimal] = {}
        charges: dict[str, Decimal] = {}
        for r in rows:
            if r.kind not in ("usage", "tax"):
                label = CHARGE_LABELS.get(r.kind, r.kind)
                charges[label] = charges.get(label, Decimal(0)) + r.usd
            elif r.service is None:
                unmodelled[r.aws_service] = unmodelled.get(r.aws_service, Decimal(0)) + r.usd
            else:
                actual_by[r.service] = actual_by.get(r.service, Decimal(0)) + r.usd
        services = []
        for svc in sorted(set(by_service) | set(actual_by), key=lambda s: -by_service.get(s, Decimal(0))):
            e_month = by_service.get(svc, Decimal(0))
            e_date = e_month * share
            a = actual_by.get(svc, Decimal(0)) if have else None
            var = None if a is None else c(a) - c(e_date)  # type: ignore[operator]
            pct = None if var is None or not e_date else var / c(e_date) * 100  # type: ignore[operator]
            flagged = var is not None and abs(var) > opts.threshold_usd and (pct is None or abs(pct) >
                                                                             opts.threshold_pct)
            services.append(ServiceRow(svc, e_month, e_date, a, var, pct, flagged))
        # Totals are before tax, like the estimate and AWS Budgets; the report adds its own VAT line.
        pretax = [r for r in rows if r.kind != "tax"]
        actual = sum((r.usd for r in pretax), Decimal(0)) if have else None
        amortized = sum((r.amortized_usd if r.amortized_usd is not None else r.usd for r in pretax), Decimal(0)) \
            if have else None
        daily: dict[str, Decimal] = {}
        for r in sorted(pretax, key=lambda r: r.day):
            daily[r.day.isoformat()] = daily.get(r.day.isoformat(), Decimal(0)) + r.usd
        cum, running = [], Decimal(0)
        for day, usd in sorted(daily.items()):
            running += usd
            cum.append((day, running))
        if actual is None:
            forecast, method = None, "no actual spend data"
        elif opts.elapsed >= opts.days:
            forecast, method = actual, "month complete"
        elif name in actuals.forecast:
            forecast, method = actual + actuals.forecast[name], "Cost Explorer forecast"
        elif opts.elapsed:
            forecast, method = actual / opts.elapsed * opts.days, "linear from the days so far"
        else:
            forecast, method = None, "no complete day yet"
        budget, source = _budget(stack, name, actuals, opts)
        status = _status(budget, actual, forecast)
        if have and not rows and any(resolve(r.environment) is None for r in all_rows if r.kind == "usage"):
            # Nothing carries this environment's tag but untagged spend exists: "Actual $0.00, on track" would be
            # a wrong answer. Say what is known.
            status = f"unknown: no spend tagged {tag_key}={name}; see unallocated"
        result = optimize(stack, name, catalog, risk=opts.risk)  # type: ignore[arg-type]
        commits = [s.option for s in result.plan.steps if s.option.kind in ("reserved", "savings-plan")]
        amort = sum(((o.upfront_usd or Decimal(0)) / o.term_months for o in commits if o.term_months), Decimal(0))
        out.append(EnvReport(
            name=name, budget=budget, budget_source=source, estimate_month=est.total,
            estimate_to_date=est.total * share, actual_to_date=actual, amortized_to_date=amortized,
            forecast=forecast, forecast_method=method, status=status, services=services,
            unmodelled=sorted(unmodelled.items(), key=lambda kv: -kv[1]), daily=cum,
            plan_upfront=result.plan.upfront_usd, plan_monthly_amortized=amort,
            plan_saving=result.plan.monthly_saving_usd, plan_steps=[s.option.option for s in result.plan.steps],
            assumptions=est.assumptions, charges=_ordered(charges),
            usage_types=_usage_types(est, rows, share, stack.environments[name]) if have else [],
            line_items=_line_items(est)))
    lo, hi = catalog.published_range()
    from stackcost.report.freshness import freshness

    report = Report(options=opts, generated_at=datetime.now().isoformat(timespec="seconds"),
                    actuals_source=actuals.source, actuals_unavailable=unavailable, environments=out,
                    published_min=lo, published_max=hi, previous=previous, actuals_format=actuals.format,
                    actuals_currency=actuals.currency, other_providers_skipped=actuals.other_providers_skipped,
                    rows_read=actuals.rows_read, tag_key=tag_key, actuals_notes=list(actuals.notes),
                    freshness=freshness(catalog, opts.as_of).to_json())
    if actuals.rows and not actuals.unavailable:
        billed = split(actuals.rows, resolve)
        report.billed = {"currency": actuals.currency, "total": billed.total, "tax": billed.tax,
                         "credits": billed.charges.get(CHARGE_LABELS["credit"], Decimal(0)),
                         "unallocated": billed.unallocated}
    if have:
        m = split(all_rows, resolve)
        report.actuals_total_usd, report.amortized_total_usd, report.tax_usd = m.total, m.amortized, m.tax
        report.credits_usd = m.charges.get(CHARGE_LABELS["credit"], Decimal(0))
        report.unallocated_usd = m.unallocated
        report.unallocated_tag_values = [v for v, _ in sorted(m.unallocated_values.items(), key=lambda kv: -kv[1])]
        report.unallocated_by_service = sorted(m.unallocated_by_service.items(), key=lambda kv: -kv[1])
        report.charges = _ordered(m.charges)
    return report


def _ordered(charges: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    from stackcost.report.billing.allocate import CHARGE_LABELS

    order = list(CHARGE_LABELS.values())
    return sorted(charges.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))


def _to_usd(actuals: Actuals, opts: Options) -> tuple[Decimal | None, str]:
    """The factor that turns billed amounts into USD, and why there is no USD comparison when there is none."""
    if actuals.unavailable:
        return None, actuals.unavailable
    if not actuals.rows:
        return None, f"no billing rows for {opts.month} in {actuals.source}"
    if actuals.currency == "USD":
        return Decimal(1), ""
    if actuals.currency == "KRW" and opts.krw_per_usd:
        return 1 / opts.krw_per_usd, ""
    return None, (f"billed in {actuals.currency}; amounts kept as billed (see 'billed'), not compared with the "
                  f"USD estimate" + (" — give --krw-rate to convert" if actuals.currency == "KRW" else ""))


def _convert(r: ActualRow, rate: Decimal) -> ActualRow:
    from dataclasses import replace

    return replace(r, usd=r.usd * rate, amortized_usd=None if r.amortized_usd is None else r.amortized_usd * rate)


def _usage_types(est: Any, rows: list[ActualRow], share: Decimal, env: Any = None) -> list[UsageTypeRow]:
    """Per usage type: actual quantity and cost to date beside the estimate line of the same usage type, the
    sizing field it measures and the value the observed rate suggests for it (`cost calibrate` writes it)."""
    from stackcost.calibrate.rules import rule_for

    actual: dict[tuple[str, str], list[Any]] = {}
    for r in rows:
        if r.kind != "usage":
            continue
        key = (r.service or r.aws_service, r.usage_type)
        a = actual.setdefault(key, [Decimal(0), Decimal(0), r.unit])
        a[0] += r.quantity or Decimal(0)
        a[1] += r.usd
    lines: dict[tuple[str, str], list[Any]] = {}
    for i in est.items:
        key = (i.service, i.usage_type)
        e = lines.setdefault(key, [Decimal(0), Decimal(0), i.unit, i.component])
        e[0] += i.quantity
        e[1] += i.monthly_usd
    out = []
    for key in sorted(set(actual) | set(lines)):
        got, line = actual.get(key), lines.get(key)
        unit = str((got or line or ["", "", ""])[2])
        out.append(UsageTypeRow(
            service=key[0], usage_type=key[1], unit=unit,
            actual_quantity=got[0] if got else Decimal(0), actual_usd=got[1] if got else Decimal(0),
            estimate_quantity_to_date=line[0] * share if line else None,
            estimate_to_date=line[1] * share if line else None, estimate_component=line[3] if line else "",
            estimate_quantity_month=line[0] if line else None))
        found = rule_for(key[0], key[1])
        hours = share * HOURS_PER_MONTH
        if found is None or not got or not hours:
            continue
        rule = found[0]
        out[-1].sizing_field = rule.field
        if rule.kind == "monthly":
            out[-1].suggested = got[0] / rule.scale / hours * HOURS_PER_MONTH
        elif rule.kind == "fargate" and env is not None and len(env.fargate) == 1:
            out[-1].suggested = got[0] / hours / env.fargate[0].vcpu  # average tasks running
        elif rule.kind == "count":
            out[-1].suggested = got[0] / hours
    return out


_LINE_FIELDS = ("service", "component", "monthly_usd", "quantity", "unit", "unit_price_usd", "sku", "rate_code",
                "published", "source", "assumption")


def _line_items(est: Any) -> list[dict[str, Any]]:
    frame = est.line_items
    return [{k: (None if v is None or v != v else v) for k, v in zip(_LINE_FIELDS, row, strict=True)}
            for row in frame[list(_LINE_FIELDS)].itertuples(index=False)]


def _budget(stack: Stack, name: str, actuals: Actuals, opts: Options) -> tuple[Decimal | None, str]:
    if opts.budget_usd is not None:
        return opts.budget_usd, "--budget"
    cfg = stack.environments[name].budget_usd
    if cfg is not None:
        return cfg, "config budget_usd"
    if name in actuals.budgets:
        return actuals.budgets[name], "AWS Budgets"
    return None, "none"


def load_previous(out_dir: Path, month: str) -> dict[str, Any] | None:
    y, m = map(int, month.split("-"))
    prev = f"{y - (m == 1)}-{(m - 2) % 12 + 1:02d}"
    path = out_dir / f"stackcost-report-{prev}.json"
    if not path.is_file():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    except (OSError, json.JSONDecodeError):
        return None
