"""Observed usage per usage type -> the sizing fields it measures -> a validated sizing YAML and the cost effect
of each change.

typical = the window's quantity per 730-hour month (AWS's month), low/high = the 10th and 90th percentile of the
daily values scaled to a month; counts (tasks, gateways, nodes) come from hours, typical = the median hour (a
scale-out raises the high band and the Savings Plan profile, not the typical); GB-Mo storage is already a monthly
average and is not scaled."""

from __future__ import annotations

import calendar
import copy
import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from stackcost.calibrate.rules import Rule, rule_for
from stackcost.calibrate.yamlout import Path_, dump
from stackcost.catalog import Catalog
from stackcost.errors import StackcostError
from stackcost.estimate import HOURS_PER_MONTH, estimate
from stackcost.report.actuals import ActualRow
from stackcost.sizing.model import Stack

P10, P90 = Decimal("0.1"), Decimal("0.9")


class CalibrateError(StackcostError):
    """A calibration that cannot be made (one line for the user)."""


@dataclass
class Change:
    field: str
    old: Any
    new: Any
    usage_types: list[str]
    observed: str
    monthly_effect_usd: Decimal = Decimal(0)
    path: list[str | int] = dataclasses.field(default_factory=list, repr=False)


@dataclass
class NotCalibrated:
    service: str
    usage_type: str
    quantity: Decimal
    unit: str
    cost: Decimal
    why: str


@dataclass
class Result:
    environment: str
    months: list[str]
    source: str
    hours: Decimal
    changes: list[Change] = field(default_factory=list)
    calibrated: list[str] = field(default_factory=list)  # every field set from the bill (changed or not)
    not_calibrated: list[NotCalibrated] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # fields the export does not measure: the base value stays
    old_total: Decimal = Decimal(0)
    new_total: Decimal = Decimal(0)
    profiles: dict[str, list[Decimal]] = field(default_factory=dict)  # Fargate service -> tasks per hour
    days: list[date] = field(default_factory=list)  # the window's days (a month in progress: up to its last data)
    profile_note: str = ""
    stack: Stack | None = None
    yaml: str = ""

    def to_json(self) -> dict[str, Any]:
        def j(v: Any) -> Any:
            if isinstance(v, Decimal):
                return format(v.normalize(), "f")
            if isinstance(v, dict):
                return {k: j(x) for k, x in v.items()}
            if isinstance(v, list):
                return [j(x) for x in v]
            return v

        return {
            "environment": self.environment, "months": self.months, "source": self.source,
            "hours": j(self.hours), "old_total_usd": j(self.old_total.quantize(Decimal("0.01"))),
            "new_total_usd": j(self.new_total.quantize(Decimal("0.01"))),
            "changes": [{"field": c.field, "old": j(c.old), "new": j(c.new), "usage_types": c.usage_types,
                         "observed": c.observed,
                         "monthly_effect_usd": j(c.monthly_effect_usd.quantize(Decimal("0.01")))}
                        for c in self.changes],
            "calibrated": self.calibrated, "kept": self.kept,
            "not_calibrated": [{"service": n.service, "usage_type": n.usage_type, "quantity": j(n.quantity),
                                "unit": n.unit, "cost": j(n.cost.quantize(Decimal("0.01"))), "why": n.why}
                               for n in self.not_calibrated],
        }


def month_days(months: list[str]) -> list[date]:
    out = []
    for m in months:
        y, mo = map(int, m.split("-"))
        out += [date(y, mo, d) for d in range(1, calendar.monthrange(y, mo)[1] + 1)]
    return out


def quantile(values: list[Decimal], q: Decimal) -> Decimal:
    """Linear interpolation between closest ranks (numpy's default), on Decimals."""
    if not values:
        return Decimal(0)
    s = sorted(values)
    pos = (len(s) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _round(v: Decimal, places: int = 2) -> Decimal:
    return v.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass
class _Group:
    rule: Rule
    usage_types: set[str] = field(default_factory=set)
    unit: str = ""
    total: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    daily: dict[date, Decimal] = field(default_factory=dict)
    hourly: dict[datetime, Decimal] = field(default_factory=dict)
    by_match: dict[tuple[str, ...], Decimal] = field(default_factory=dict)  # regex groups -> quantity
    group: str = ""  # the service tag's value (Fargate with several services)


def _get(d: Any, path: Sequence[str | int]) -> Any:
    for p in path:
        if d is None:
            return None
        d = d[p] if isinstance(p, int) else d.get(p) if isinstance(d, dict) else None
    return d


def _set(d: Any, path: Sequence[str | int], value: Any) -> None:
    for p in path[:-1]:
        d = d[p] if isinstance(p, int) else d.setdefault(p, {})
    d[path[-1]] = value


def _path(rule_field: str) -> list[str | int]:
    out: list[str | int] = []
    for part in rule_field.split("."):
        if part.endswith("[]"):
            out += [part[:-2], 0]
        else:
            out.append(part)
    return out


def calibrate(stack: Stack, catalog: Catalog, env_name: str, rows: Iterable[ActualRow], months: list[str],
              source: str, service_tag: str = "aws:ecs:serviceName") -> Result:
    rows = [r for r in rows if r.kind == "usage"]
    # A month still in progress counts its days up to the last day the export has (any usage of the environment).
    last = max((r.day for r in rows), default=None)
    days = [d for d in month_days(months) if last is None or d <= last]
    hours = Decimal(len(days) * 24)
    res = Result(environment=env_name, months=months, source=source, hours=hours)
    base = stack.model_dump(mode="python")
    groups: dict[str, _Group] = {}
    unmatched: dict[tuple[str, str], NotCalibrated] = {}
    several = len(stack.environments[env_name].fargate) > 1
    for r in rows:
        if r.kind != "usage":
            continue
        service = r.service or r.aws_service
        found = rule_for(r.service, r.usage_type)
        qty = r.quantity or Decimal(0)
        if found is None:
            key = (service, r.usage_type)
            n = unmatched.setdefault(key, NotCalibrated(service, r.usage_type, Decimal(0), r.unit, Decimal(0),
                                                        "no sizing field measures this usage type"))
            n.quantity += qty
            n.cost += r.usd
            continue
        rule, m = found
        # Several Fargate services: their usage is told apart by the service tag (`group`), one group each.
        gkey = f"{rule.field}#{r.group}" if rule.kind == "fargate" and several else rule.field
        g = groups.setdefault(gkey, _Group(rule, group=r.group))
        g.usage_types.add(r.usage_type)
        g.unit = g.unit or r.unit
        g.total += qty
        g.cost += r.usd
        g.daily[r.day] = g.daily.get(r.day, Decimal(0)) + qty
        if r.hour is not None:
            ts = datetime(r.day.year, r.day.month, r.day.day, r.hour)
            g.hourly[ts] = g.hourly.get(ts, Decimal(0)) + qty
        g.by_match[m.groups()] = g.by_match.get(m.groups(), Decimal(0)) + qty
    res.not_calibrated = sorted(unmatched.values(), key=lambda n: -n.cost)
    res.days = days
    for g in groups.values():
        if len({ts.hour for ts in g.hourly}) <= 1:  # a daily export read by the hour: every row starts at 00:00
            g.hourly = {}

    new = copy.deepcopy(base)
    nenv = new["environments"][env_name]
    comments: dict[Path_, str] = {}
    when = ", ".join(months)
    month_scale = HOURS_PER_MONTH / hours  # the window's total -> one 730-hour month
    for fld, g in sorted(groups.items()):
        rule, path = g.rule, _path(g.rule.field)
        section = _get(nenv, path[:1])
        if section is None or section == []:
            res.not_calibrated.append(NotCalibrated(
                rule.service, ", ".join(sorted(g.usage_types)), g.total, g.unit, g.cost,
                f"the base config has no {path[0]} section for {fld}"))
            continue
        uts = ", ".join(sorted(g.usage_types))
        where = ("environments", env_name, *path)
        if rule.kind in ("monthly", "storage"):
            value, observed = _band(g, rule, days, month_scale, len(months))
            if fld == "cloudwatch.logs_ingested_gb":
                others = sum((_typical(_get(nenv, p)) for p in (
                    ["rds", "exported_logs_gb"], ["rds", "enhanced_monitoring_gb"],
                    ["cloudwatch", "container_insights_logs_gb"])), Decimal(0))
                value = {k: max(Decimal(0), v - others) for k, v in value.items()}
                observed += f", less {format(others.normalize(), 'f')} GB of other log sources in the base config"
            value = _order({k: _round(v, 0 if "requests" in fld or "queries" in fld else 2) for k, v in value.items()})
            _change(res, nenv, path, value, g, observed)
            comments[where] = f"calibrated from {uts}: {observed} ({when}; {rule.note or 'per 730-hour month'})"
        elif rule.kind == "fargate":
            services = nenv.get("fargate") or []
            idx = 0 if len(services) == 1 else next(
                (i for i, s in enumerate(services) if s["name"].lower() == g.group.strip().lower()), None)
            if idx is None:
                res.not_calibrated.append(NotCalibrated(
                    rule.service, uts, g.total, g.unit, g.cost,
                    f"{len(services)} Fargate services in the base config and this usage's service tag "
                    f"({service_tag}) is {g.group!r}, which names none of them"))
                continue
            svc = services[idx]
            vcpu = Decimal(str(svc["vcpu"]))
            counts = _per_hour(g, days, vcpu)
            med, lo, hi = quantile(counts, Decimal("0.5")), quantile(counts, P10), quantile(counts, P90)
            tasks = {"desired": int(_round(med, 0)), "min": int(_round(min(lo, med), 0)),
                     "max": max(math.ceil(hi), int(_round(med, 0)))}
            old_tasks = svc["tasks"]
            merged = dict(old_tasks) | tasks
            merged.pop("profile", None)
            observed = (f"{_num(g.total)} vCPU-hours ÷ ({_num(hours)} h × {_num(vcpu)} vCPU): median {_num(med)} "
                        f"tasks, 10th percentile {_num(lo)}, 90th {_num(hi)} "
                        f"({'hourly' if g.hourly else 'daily averages'})")
            _change(res, nenv, ["fargate", idx, "tasks"], merged, g, observed, label=f"fargate[{svc['name']}].tasks")
            comments[("environments", env_name, "fargate", idx, "tasks")] = \
                f"calibrated from {uts}: {observed} ({when})"
            res.profiles[svc["name"]] = counts
            res.profile_note = "hourly" if g.hourly else "daily averages repeated over each day's 24 hours"
        elif rule.kind in ("count", "cache"):
            if rule.kind == "cache":
                top = max(g.by_match.items(), key=lambda kv: kv[1])[0]
                node_type = top[0]
                n_hours = g.by_match[top]
                _change(res, nenv, ["elasticache", "node_type"], node_type, g, f"{node_type} hours billed")
                comments[where] = f"calibrated from {uts} ({when})"
                count = int(_round(n_hours / hours, 0))
                cpath: list[str | int] = ["elasticache", "nodes"]
            else:
                count = int(_round(g.total / hours, 0))
                cpath = path
            observed = f"{_num(g.total if rule.kind == 'count' else n_hours)} h ÷ {_num(hours)} h = {count}"
            _change(res, nenv, cpath, count, g, observed)
            comments[("environments", env_name, *cpath)] = f"calibrated from {uts}: {observed} ({when})"
        elif rule.kind == "rds":
            top = max(g.by_match.items(), key=lambda kv: kv[1])[0]
            kind, cls = top[0], top[1]
            _change(res, nenv, ["rds", "instance_class"], cls, g, f"{cls} hours billed ({kind})")
            _change(res, nenv, ["rds", "multi_az"], kind == "Multi-AZUsage", g, f"usage type {kind}")
            comments[where] = f"calibrated from {uts} ({when})"
            comments[("environments", env_name, "rds", "multi_az")] = f"calibrated from the usage type ({kind})"
        elif rule.kind == "acu":
            aurora = nenv["aurora"]
            n_sl = sum(int(i.get("count", 1)) for i in aurora["instances"] if i["instance_class"] == "db.serverless")
            if not n_sl:
                res.not_calibrated.append(NotCalibrated(rule.service, uts, g.total, g.unit, g.cost,
                                                        "the base config's Aurora cluster has no db.serverless "
                                                        "instance"))
                continue
            acus = _per_hour(g, days, Decimal(n_sl))  # ACUs of each db.serverless instance, hour by hour
            value = _order({"low": _round(quantile(acus, P10)), "typical": _round(quantile(acus, Decimal("0.5"))),
                            "high": _round(quantile(acus, P90))})
            observed = (f"{_num(g.total)} ACU-hours over {_num(hours)} h and {n_sl} db.serverless instance(s): "
                        f"10th percentile, median and 90th percentile hour")
            _change(res, nenv, path, value, g, observed)
            comments[where] = f"calibrated from {uts}: {observed} ({when})"
            # The scaling range must hold what was observed (the model checks min_acu <= acu <= max_acu).
            for bound_key, bound, pick in (("min_acu", value["low"], min), ("max_acu", value["high"], max)):
                widened = pick(Decimal(str(aurora[bound_key])), bound)
                if widened != Decimal(str(aurora[bound_key])):
                    _change(res, nenv, ["aurora", bound_key], widened, g, f"widened to the observed {bound} ACU")
                    comments[("environments", env_name, "aurora", bound_key)] = "widened to hold the observed ACUs"
        res.calibrated.append(g.rule.field if g.rule.kind != "fargate" else f"fargate[{g.group}].tasks"
                              if several else g.rule.field)

    # nat.s3_gb is a part of data_processed_gb the bill does not tell apart: kept, but never above the new total.
    nat = nenv.get("nat")
    if isinstance(nat, dict) and isinstance(nat.get("s3_gb"), dict) and isinstance(nat.get("data_processed_gb"), dict):
        s3, dp = nat["s3_gb"], nat["data_processed_gb"]
        capped = {k: min(Decimal(str(s3[k])), Decimal(str(dp[k]))) for k in ("low", "typical", "high")}
        if _norm(capped) != _norm(s3):
            nat["s3_gb"] = capped
            comments[("environments", env_name, "nat", "s3_gb")] = ("kept from the base config, lowered to stay "
                                                                      "within the calibrated data_processed_gb")

    # Fields the rules know that the export did not measure: kept, and said.
    from stackcost.calibrate.rules import RULES

    for rule in RULES:
        path = _path(rule.field)
        if any(k.split("#")[0] == rule.field for k in groups) or _get(nenv, path) is None:
            continue
        res.kept.append(rule.field)
        comments.setdefault(("environments", env_name, *path), "kept from the base config: the export does not "
                            "measure it")

    try:
        new_stack = Stack.model_validate(new)
    except Exception as exc:  # pydantic ValidationError: the calibrated values break a rule of the model
        first = str(exc).splitlines()
        raise CalibrateError(f"the calibrated sizing does not validate: {' '.join(first[:3])}") from None
    res.stack = new_stack
    res.old_total = estimate(stack, env_name, catalog).total
    res.new_total = estimate(new_stack, env_name, catalog).total
    for c in res.changes:  # the effect of each change alone, against the base
        one = copy.deepcopy(base)
        _set(one["environments"][env_name], c.path, c.new)
        try:
            res_one = estimate(Stack.model_validate(one), env_name, catalog).total
            c.monthly_effect_usd = res_one - res.old_total
        except Exception:  # a change valid only together with another (e.g. Tasks bounds): no single effect
            c.monthly_effect_usd = Decimal(0)
    res.changes.sort(key=lambda c: -abs(c.monthly_effect_usd))
    header = [f"stackcost sizing calibrated from {source}, {when}, environment {env_name}.",
              "Usage values: typical = the observed quantity per month, normalised to AWS's 730-hour month "
              f"(the window has {format(hours.normalize(), 'f')} h);",
              "low/high = the 10th and 90th percentile of the daily values scaled to a month; counts from hours "
              "(typical = the median hour).",
              "Other environments and unmeasured values are the base config's."]
    res.yaml = dump(new_stack.model_dump(mode="python", exclude_defaults=True), comments, header)
    return res


def _num(v: Decimal) -> str:
    return format(_round(v, 3).normalize(), "f")


def _typical(v: Any) -> Decimal:
    return Decimal(str(v["typical"])) if isinstance(v, dict) and "typical" in v else Decimal(0)


def _order(v: dict[str, Decimal]) -> dict[str, Decimal]:
    lo, ty, hi = v["low"], v["typical"], v["high"]
    return {"low": min(lo, ty), "typical": ty, "high": max(hi, ty)}


def _band(g: _Group, rule: Rule, days: list[date], month_scale: Decimal, n_months: int) -> tuple[dict[str, Decimal],
                                                                                               str]:
    scale = Decimal(rule.scale)
    if rule.kind == "storage":
        # GB-Mo rows of a day hold that day's share of the month: × the month's days = the GB stored that day.
        per_day = [g.daily.get(d, Decimal(0)) * calendar.monthrange(d.year, d.month)[1] / scale for d in days]
        typical = sum(per_day, Decimal(0)) / len(per_day) if per_day else Decimal(0)
        observed = f"{_num(g.total)} GB-Mo billed over {len(days)} days: {_num(typical)} GB stored on average"
    else:
        per_day = [g.daily.get(d, Decimal(0)) / scale * Decimal(730) / Decimal(24) for d in days]
        typical = g.total / scale * month_scale
        observed = (f"{_num(g.total)} {g.unit or 'units'} billed in {len(days) * 24} h"
                    + (f" ÷ {rule.scale}" if rule.scale != 1 else "") + f" → {_num(typical)} per 730 h")
    return {"low": quantile(per_day, P10), "typical": typical, "high": quantile(per_day, P90)}, observed


def _per_hour(g: _Group, days: list[date], per_unit: Decimal) -> list[Decimal]:
    """Units running in each hour of the window (hourly rows), or each day's average repeated over its hours."""
    out: list[Decimal] = []
    for d in days:
        for h in range(24):
            if g.hourly:
                out.append(g.hourly.get(datetime(d.year, d.month, d.day, h), Decimal(0)) / per_unit)
            else:
                out.append(g.daily.get(d, Decimal(0)) / Decimal(24) / per_unit)
    return out


def _change(res: Result, env: dict[str, Any], path: list[str | int], value: Any, g: _Group, observed: str,
            label: str | None = None) -> None:
    old = _get(env, path)
    _set(env, path, value)
    if _norm(old) != _norm(value):
        res.changes.append(Change(label or ".".join(str(p) for p in path), old, value, sorted(g.usage_types),
                                  observed, path=path))


def _norm(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items() if x is not None}
    if isinstance(v, Decimal | int | float) and not isinstance(v, bool):
        return Decimal(str(v)).normalize()
    return v


def window(month: str, n: int) -> list[str]:
    y, m = map(int, month.split("-"))
    out = []
    for _ in range(n):
        out.append(f"{y}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return sorted(out)
