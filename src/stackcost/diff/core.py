"""The cost of a change: two estimates of the same environment paired line by line.

Pure logic (no files, no git): the CLI and the what-if page hand it stacks or estimates and render the result.

- Lines pair on a stable key: the service and the component with what a change alters taken out (instance or
  node class, counts, storage type, architecture, engine), so `db.t3.medium Multi-AZ instance` →
  `db.m7g.large Multi-AZ instance` is one changed line, never a removal plus an addition.
- The band of the delta is the delta under the low, typical and high usage scenarios, the same scenario on both
  sides (usage that is low before is low after): its min and max.
- Commitments: the optimizer's low-risk plan (1-year commitments on the environment as it is) on both sides,
  paired by the usage they cover.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

from stackcost.errors import StackcostError
from stackcost.estimate import Estimate, LineItem, estimate
from stackcost.sizing.model import Stack, is_band_dict
from stackcost.util import plain

if TYPE_CHECKING:
    from stackcost.catalog import Catalog

Status = Literal["changed", "added", "removed"]
ZERO = Decimal(0)
PCT = Decimal("0.01")
COMMITMENT_RISK: Final = "low"  # 1-year commitments on production as it is: what a team buys first

# What a change to a resource alters inside a component name; taken out of the pairing key.
_VARIABLE = [
    re.compile(r"\b(?:db|cache)\.[a-z0-9-]+(?:\.[a-z0-9-]+)?\b"),  # db.t3.medium, cache.t3.micro, db.serverless
    re.compile(r"\b(?:Single-AZ|Multi-AZ)\b"),
    re.compile(r"\b(?:gp2|gp3|io1|io2|magnetic|io-optimized)\b"),
    re.compile(r"\b(?:x86_64|arm64|X86_64|ARM64)\b"),
    re.compile(r"\b(?:Redis|Valkey|Memcached|redis|valkey)\b"),
    re.compile(r"\b\d[\d,.]*\b"),  # standalone numbers only: `web2` stays a name
    re.compile(r"(?<!\w)×(?!\w)"),  # "2 × cache.t3.micro" leaves a bare "×" once the count is gone
]


def money(v: Decimal) -> str:
    """An amount as the estimate JSON writes it: a decimal string with cents ("590.32", "0.00")."""
    return str(v.quantize(PCT, rounding=ROUND_HALF_UP))


class DiffError(StackcostError):
    """A diff cannot be made from what was given (the message says which side and why)."""


def stable_key(service: str, component: str) -> str:
    """`ECS Fargate/app: vCPU`, `RDS PostgreSQL/instance`: the same before and after a resize."""
    text = component
    for rx in _VARIABLE:
        text = rx.sub(" ", text)
    text = re.sub(r"\(\s*\)", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" :-")
    return f"{service}/{text or component}"


@dataclass(frozen=True)
class Change:
    key: str
    service: str
    component: str  # the line as it is after the change (before, for a removal)
    status: Status
    before: LineItem | None = None
    after: LineItem | None = None
    unpriced: str = ""  # set for a resource no line prices: the amounts are unknown, never $0

    @property
    def before_component(self) -> str:
        return self.before.component if self.before else ""

    def _amount(self, item: LineItem | None, level: str) -> Decimal | None:
        if self.unpriced:
            return None
        return ZERO if item is None else Decimal(getattr(item, level))

    def amount(self, side: str, level: str = "monthly_usd") -> Decimal | None:
        return self._amount(self.before if side == "before" else self.after, level)

    @property
    def before_usd(self) -> Decimal | None:
        return self.amount("before")

    @property
    def after_usd(self) -> Decimal | None:
        return self.amount("after")

    @property
    def delta_usd(self) -> Decimal | None:
        b, a = self.before_usd, self.after_usd
        return None if a is None or b is None else a - b

    def to_json(self) -> dict[str, Any]:
        def s(v: Decimal | None) -> str | None:
            return None if v is None else money(v)

        return {"key": self.key, "service": self.service, "component": self.component, "status": self.status,
                "before_usd": s(self.before_usd), "after_usd": s(self.after_usd), "delta_usd": s(self.delta_usd)}


@dataclass
class EnvironmentDiff:
    name: str
    before: Estimate | None  # None: the environment is new
    after: Estimate | None  # None: the environment was removed
    changes: list[Change]
    assumptions: list[str] = field(default_factory=list)  # usage assumptions that changed
    commitments: list[str] = field(default_factory=list)  # effect on the recommended commitments
    notes: list[str] = field(default_factory=list)  # importer warnings and the like, per side

    def _total(self, est: Estimate | None, level: str) -> Decimal:
        if est is None:
            return ZERO
        return {"low": est.total_low, "typical": est.total, "high": est.total_high}[level]

    @property
    def before_usd(self) -> Decimal:
        return self._total(self.before, "typical")

    @property
    def after_usd(self) -> Decimal:
        return self._total(self.after, "typical")

    @property
    def delta_usd(self) -> Decimal:
        return self.after_usd - self.before_usd

    @property
    def delta_pct(self) -> Decimal | None:
        if not self.before_usd:
            return None
        return (self.delta_usd / self.before_usd * 100).quantize(PCT, rounding=ROUND_HALF_UP)

    def scenario_deltas(self) -> dict[str, Decimal]:
        return {lv: self._total(self.after, lv) - self._total(self.before, lv) for lv in ("low", "typical", "high")}

    @property
    def delta_low_usd(self) -> Decimal:
        return min(self.scenario_deltas().values())

    @property
    def delta_high_usd(self) -> Decimal:
        return max(self.scenario_deltas().values())

    @property
    def unpriced(self) -> list[Change]:
        return [c for c in self.changes if c.unpriced]

    def to_json(self) -> dict[str, Any]:
        pct = self.delta_pct
        return {"name": self.name, "before_monthly_usd": money(self.before_usd),
                "after_monthly_usd": money(self.after_usd), "delta_usd": money(self.delta_usd),
                "delta_pct": None if pct is None else str(pct), "delta_low_usd": money(self.delta_low_usd),
                "delta_high_usd": money(self.delta_high_usd), "changes": [c.to_json() for c in self.changes],
                "commitments": list(self.commitments)}


@dataclass
class Diff:
    base: str
    head: str
    environments: list[EnvironmentDiff]
    region: str = ""
    published_min: str = ""
    published_max: str = ""
    notes: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)  # about the whole diff (e.g. where usage came from)

    @property
    def before_usd(self) -> Decimal:
        return sum((e.before_usd for e in self.environments), ZERO)

    @property
    def delta_usd(self) -> Decimal:
        return sum((e.delta_usd for e in self.environments), ZERO)

    @property
    def delta_pct(self) -> Decimal | None:
        if not self.before_usd:
            return None
        return (self.delta_usd / self.before_usd * 100).quantize(PCT, rounding=ROUND_HALF_UP)

    def to_json(self) -> dict[str, Any]:
        return {"base": self.base, "head": self.head, "environments": [e.to_json() for e in self.environments]}


# -- pairing --------------------------------------------------------------------------------------------------

def _keyed(items: Iterable[LineItem]) -> dict[str, LineItem]:
    """Key -> line; a key repeated within one estimate gets `#2`, `#3` in order (stable across both sides)."""
    out: dict[str, LineItem] = {}
    for item in items:
        base = stable_key(item.service, item.component)
        key, n = base, 1
        while key in out:
            n += 1
            key = f"{base}#{n}"
        out[key] = item
    return out


def _same(a: LineItem, b: LineItem) -> bool:
    return (a.component, a.monthly_usd, a.monthly_usd_low, a.monthly_usd_high) == \
        (b.component, b.monthly_usd, b.monthly_usd_low, b.monthly_usd_high)


def pair_lines(before: Iterable[LineItem], after: Iterable[LineItem]) -> list[Change]:
    """Changed, added and removed lines (unchanged ones left out), in the after side's order, removals last."""
    left, right = _keyed(before), _keyed(after)
    out: list[Change] = []
    for key, a in right.items():
        b = left.get(key)
        if b is None:
            out.append(Change(key, a.service, a.component, "added", after=a))
        elif not _same(b, a):
            out.append(Change(key, a.service, a.component, "changed", before=b, after=a))
    out += [Change(key, b.service, b.component, "removed", before=b) for key, b in left.items() if key not in right]
    return out


# -- usage assumptions ----------------------------------------------------------------------------------------

def _flatten(node: Any, path: str, out: dict[str, Any]) -> None:
    if is_band_dict(node):
        out[path] = node
    elif isinstance(node, dict):
        for k, v in node.items():
            _flatten(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(node, list) and node and all(isinstance(x, dict) and "name" in x for x in node):
        for x in node:
            _flatten({k: v for k, v in x.items() if k != "name"}, f"{path}[{x['name']}]", out)
    else:
        out[path] = node


def _band_text(v: Any) -> str:
    if is_band_dict(v):
        lo, ty, hi = (plain(Decimal(str(v[k]))) for k in ("low", "typical", "high"))
        return ty if lo == ty == hi else f"{ty} ({lo}–{hi})"
    return "not set" if v is None else str(v)


def usage_changes(name: str, before: Stack | None, after: Stack | None) -> list[str]:
    """Usage values (the {low, typical, high} bands of the sizing) that differ: `nat.data_processed_gb: 100 → 200`."""
    flat: list[dict[str, Any]] = []
    for stack in (before, after):
        out: dict[str, Any] = {}
        if stack is not None and name in stack.environments:
            _flatten(stack.environments[name].model_dump(mode="json"), "", out)
        flat.append(out)
    b, a = flat
    lines = []
    for path in [*b, *(p for p in a if p not in b)]:
        vb, va = b.get(path), a.get(path)
        if vb == va or not (is_band_dict(vb) or is_band_dict(va)):
            continue
        lines.append(f"{name}.{path}: {_band_text(vb)} → {_band_text(va)}")
    return lines


def assumption_changes(name: str, before: Estimate | None, after: Estimate | None,
                       stacks: tuple[Stack | None, Stack | None] = (None, None)) -> list[str]:
    out = usage_changes(name, *stacks)
    b = set(before.assumptions if before else [])
    a = set(after.assumptions if after else [])
    out += [f"no longer assumed: {x}" for x in (before.assumptions if before else []) if x not in a]
    out += [f"now assumed: {x}" for x in (after.assumptions if after else []) if x not in b]
    return out


# -- commitments ----------------------------------------------------------------------------------------------

_CLASS = re.compile(r"\b(?:db|cache)\.[a-z0-9-]+(?:\.[a-z0-9-]+)?\b")


def _recommended(stack: Stack | None, name: str, catalog: Catalog) -> dict[str, Any]:
    """The optimizer's recommended commitments for `name`, keyed by the usage each covers."""
    if stack is None or name not in stack.environments:
        return {}
    from stackcost.optimize import optimize

    plan = optimize(stack, name, catalog, risk=COMMITMENT_RISK).plan
    return {s.option.covers: s for s in plan.steps if s.option.kind in ("reserved", "savings-plan")}


def _money(v: Decimal) -> str:
    return f"${v:,.2f}"


def commitment_changes(name: str, before: Stack | None, after: Stack | None, catalog: Catalog,
                       catalog_after: Catalog | None = None) -> list[str]:
    old = _recommended(before, name, catalog)
    new = _recommended(after, name, catalog_after or catalog)
    out = []
    for covers, s in old.items():
        o = s.option
        what = f"{o.line}: {o.option}"
        n = new.get(covers)
        if n is None:
            out.append(f"{what} is no longer recommended (saved {_money(s.monthly_saving_usd)}/month): "
                       + ("the line is gone" if after is None or name not in after.environments else
                          "it no longer pays off on the changed line"))
            continue
        now = f"recommended now: {n.option.option} on {n.option.line} (saves {_money(n.monthly_saving_usd)}/month)"
        oc, nc = _CLASS.search(o.line), _CLASS.search(n.option.line)
        if oc and nc and oc.group(0) != nc.group(0):
            # A reservation is for one class family and size: bought for the old class, it no longer applies.
            out.append(f"{what} no longer matches: the new class is {nc.group(0)}; {now}")
        elif n.option.line != o.line:
            # Same class, another count: what was bought still applies to what it covered.
            out.append(f"{o.line} → {n.option.line}: a {o.option} bought for the old line still applies to "
                       f"what it covered; {now}")
        elif n.option.option != o.option:
            out.append(f"{o.line}: recommendation changes from {o.option} to {n.option.option} "
                       f"(saves {_money(n.monthly_saving_usd)}/month)")
    for covers, s in new.items():
        if covers not in old:
            out.append(f"newly justified: {s.option.option} on {s.option.line} "
                       f"(saves {_money(s.monthly_saving_usd)}/month)")
    return out


# -- the what-if page and the CLI both land here --------------------------------------------------------------

def compare_estimates(name: str, before: Estimate | None, after: Estimate | None) -> EnvironmentDiff:
    """Two estimates of one environment, paired by stable key (either may be None: added or removed)."""
    if before is None and after is None:
        raise DiffError(f"{name}: nothing to compare (no estimate on either side)")
    changes = pair_lines(before.items if before else [], after.items if after else [])
    return EnvironmentDiff(name, before, after, changes,
                           assumptions=assumption_changes(name, before, after))


def _estimate(stack: Stack | None, name: str, catalog: Catalog, label: str) -> Estimate | None:
    if stack is None or name not in stack.environments:
        return None
    try:
        return estimate(stack, name, catalog)
    except StackcostError as exc:  # say which side cannot be priced: the other one usually can
        raise DiffError(f"{label}: {exc}") from None


def compare_environment(name: str, base: Stack | None, head: Stack | None, catalog: Catalog,
                        catalog_head: Catalog | None = None, *, commitments: bool = True,
                        labels: tuple[str, str] = ("base", "head")) -> EnvironmentDiff:
    """One environment of two stacks (either may lack it): estimates, pairing, usage and commitments."""
    cat_b, cat_h = catalog, catalog_head or catalog
    eb = _estimate(base, name, cat_b, labels[0])
    eh = _estimate(head, name, cat_h, labels[1])
    d = compare_estimates(name, eb, eh)
    d.assumptions = assumption_changes(name, eb, eh, (base, head))
    if commitments:
        d.commitments = commitment_changes(name, base, head, cat_b, cat_h)
    return d


def compare_stacks(base: Stack, head: Stack, catalog: Catalog, environments: list[str] | None = None, *,
                   base_label: str = "base", head_label: str = "head", commitments: bool = True) -> Diff:
    """Every environment of either stack (or the ones named), as the what-if page's "compare with" needs."""
    names = environments or [*base.environments, *(n for n in head.environments if n not in base.environments)]
    envs = [compare_environment(n, base, head, catalog, commitments=commitments, labels=(base_label, head_label))
            for n in names]
    lo, hi = catalog.published_range()
    return Diff(base_label, head_label, envs, region=head.region, published_min=lo, published_max=hi)
