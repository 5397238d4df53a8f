"""Stack + catalog -> Estimate: priced line items, totals with a low-high band, assumptions, catalog dates.

Money: quantities and prices stay exact Decimals; each line is rounded once to the cent (half up) and totals
are the sum of the rounded lines, so every table adds up to the cent.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from stackcost import allowances, exposures
from stackcost.catalog import AmbiguousPrice, Catalog, PriceNotFound
from stackcost.errors import StackcostError
from stackcost.money import CENT, HOURS_PER_MONTH, MONTHS_PER_YEAR, cents
from stackcost.registry import by_label, pricer_modules
from stackcost.services.base import Component, resolve
from stackcost.sizing.catalog_check import check_environment
from stackcost.sizing.model import Band, Environment, Stack
from stackcost.util import plain
from stackcost.values import Value

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = 1
__all__ = ["CENT", "HOURS_PER_MONTH", "MONTHS_PER_YEAR", "Estimate", "EstimateError", "LineItem", "cents",
           "estimate"]

Pricer = Callable[[Environment, Catalog], list[Component]]
_ZERO = Decimal(0)


def service_modules(env: Environment | None = None) -> list[Pricer]:
    """The pricers of the service registry, in the order every output lists services; with `env`, only those
    that have lines for it (a pricer whose section the sizing leaves out has none: its module is not loaded)."""
    has = None if env is None else (lambda section: getattr(env, section) is not None)
    return [importlib.import_module(f"stackcost.services.{m}").components for m in pricer_modules(has)]


class EstimateError(StackcostError):
    """A price the stack needs is not in the catalog (the message names what was looked for)."""


class UnpricedError(EstimateError):
    """--strict: a line the sizing needs has no price in the catalog."""


class LineItem(Value):
    """One line of an estimate, rounded to the cent, with the provenance of its price."""

    service: str
    component: str
    usage_type: str
    quantity: Decimal
    unit: str
    unit_price_usd: Decimal
    monthly_usd: Decimal
    monthly_usd_low: Decimal
    monthly_usd_high: Decimal
    usage_based: bool
    sku: str
    rate_code: str
    published: str
    source: str
    assumption: str
    unpriced: bool  # the catalog has no price for it: its amounts are 0 here, null in JSON, never a $0
    looked_for: str  # what an unpriced line looked for in the catalog
    free_quantity: Decimal  # the free allowance subtracted from `quantity`
    _fields = ("service", "component", "usage_type", "quantity", "unit", "unit_price_usd", "monthly_usd",
               "monthly_usd_low", "monthly_usd_high", "usage_based", "sku", "rate_code", "published", "source",
               "assumption", "unpriced", "looked_for", "free_quantity")

    def __init__(self, service: str, component: str, usage_type: str, quantity: Decimal, unit: str,
                 unit_price_usd: Decimal, monthly_usd: Decimal, monthly_usd_low: Decimal, monthly_usd_high: Decimal,
                 usage_based: bool, sku: str, rate_code: str, published: str, source: str, assumption: str,
                 unpriced: bool = False, looked_for: str = "", free_quantity: Decimal = _ZERO) -> None:
        self._set(service=service, component=component, usage_type=usage_type, quantity=quantity, unit=unit,
                  unit_price_usd=unit_price_usd, monthly_usd=monthly_usd, monthly_usd_low=monthly_usd_low,
                  monthly_usd_high=monthly_usd_high, usage_based=usage_based, sku=sku, rate_code=rate_code,
                  published=published, source=source, assumption=assumption, unpriced=unpriced,
                  looked_for=looked_for, free_quantity=free_quantity)

    def to_json(self) -> dict[str, Any]:
        def money(v: Decimal) -> str | None:
            return None if self.unpriced else str(v)

        return {
            "service": self.service, "component": self.component, "usage_type": self.usage_type,
            "quantity": plain(self.quantity), "unit": self.unit,
            "unit_price_usd": None if self.unpriced else plain(self.unit_price_usd),
            "monthly_usd": money(self.monthly_usd), "monthly_usd_low": money(self.monthly_usd_low),
            "monthly_usd_high": money(self.monthly_usd_high), "usage_based": self.usage_based, "sku": self.sku,
            "rate_code": self.rate_code, "published": self.published, "source": self.source,
            "assumption": self.assumption, "free_quantity": plain(self.free_quantity), "unpriced": self.unpriced,
            "looked_for": self.looked_for,
        }


class Estimate:
    """An environment's priced lines, assumptions and catalog dates (a plain class: see `Value`)."""

    def __init__(self, environment: str, region: str, items: list[LineItem], assumptions: list[str] | None = None,
                 published_min: str = "", published_max: str = "",
                 provenance: dict[str, Any] | None = None) -> None:
        self.environment = environment
        self.region = region
        self.items = items
        self.assumptions = [] if assumptions is None else assumptions
        self.published_min = published_min
        self.published_max = published_max
        self.provenance = {} if provenance is None else provenance  # where the prices come from, how old they are

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it was

    def __repr__(self) -> str:
        return f"Estimate({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"

    @property
    def unpriced(self) -> list[LineItem]:
        return [i for i in self.items if i.unpriced]

    @property
    def total(self) -> Decimal:
        return sum((i.monthly_usd for i in self.items), Decimal(0))

    @property
    def total_low(self) -> Decimal:
        return sum((i.monthly_usd_low for i in self.items), Decimal(0))

    @property
    def total_high(self) -> Decimal:
        return sum((i.monthly_usd_high for i in self.items), Decimal(0))

    def by_service(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for i in self.items:
            out[i.service] = out.get(i.service, Decimal(0)) + i.monthly_usd
        return out

    @property
    def line_items(self) -> pd.DataFrame:
        """The line items as a DataFrame (money columns are Decimal, exact)."""
        import pandas as pd  # only the callers that want a frame pay for pandas

        return pd.DataFrame([i.__dict__ for i in self.items])

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "environment": self.environment,
            "region": self.region,
            "currency": "USD",
            "catalog": {"published_min": self.published_min, "published_max": self.published_max,
                        **{k: v for k, v in self.provenance.items() if k not in ("published_min", "published_max")}},
            "line_items": [i.to_json() for i in self.items],
            "total_monthly_usd": str(self.total),
            "total_monthly_usd_low": str(self.total_low),
            "total_monthly_usd_high": str(self.total_high),
            "total_yearly_usd": str(self.total * MONTHS_PER_YEAR),
            "unpriced_count": len(self.unpriced),
            "assumptions": self.assumptions,
        }


def line_item(c: Component) -> LineItem:
    rec = c.record
    return LineItem(
        service=c.service, component=c.component, usage_type=rec.usage_type, quantity=c.quantity.typical,
        unit=c.unit, unit_price_usd=c.unit_price, monthly_usd=cents(c.cost("typical")),
        monthly_usd_low=cents(c.cost("low")), monthly_usd_high=cents(c.cost("high")), usage_based=c.usage_based,
        sku=rec.sku, rate_code=rec.rate_code, published=rec.published or rec.published_note, source=rec.source,
        assumption=c.assumption, free_quantity=min(c.free.typical, c.quantity.typical),
    )


def unpriced_item(service: str, component: str, unit: str, quantity: Decimal, usage_based: bool, assumption: str,
                  looked_for: str) -> LineItem:
    zero = Decimal(0)
    return LineItem(service=service, component=component, usage_type="", quantity=quantity, unit=unit,
                    unit_price_usd=zero, monthly_usd=zero, monthly_usd_low=zero, monthly_usd_high=zero,
                    usage_based=usage_based, sku="", rate_code="", published="", source="", assumption=assumption,
                    unpriced=True, looked_for=looked_for)


def _service_label(fn: Pricer) -> str:
    module = fn.__module__.rsplit(".", 1)[-1]
    label = getattr(importlib.import_module(fn.__module__), "SERVICE", module)
    return label if isinstance(label, str) and by_label(label) else module


Entry = Component | LineItem  # a resolved component, or a line the catalog has no price for


def _priced(fn: Pricer, env: Environment, catalog: Catalog, where: str) -> list[Entry]:
    """One pricer's components with their prices looked up; a price the catalog lacks makes its line unpriced
    (never $0). An ambiguous price stays an error: two records for one charge means the catalog is wrong."""
    try:
        components = fn(env, catalog)
    except PriceNotFound as exc:  # a catalog fact the pricer needed to shape its lines
        return [unpriced_item(_service_label(fn), "(whole service)", "", Decimal(0), False,
                              "the pricer needed a catalog fact that is missing",
                              f"{exc} in {catalog.region}".removeprefix("no price in the catalog for "))]
    except AmbiguousPrice as exc:
        raise EstimateError(f"{where}{exc}") from None
    out: list[Entry] = []
    for c in components:
        try:
            out.append(resolve(c, catalog))
        except PriceNotFound as exc:
            looked = c.price.describe() if c.price else str(exc)
            out.append(unpriced_item(c.service, c.component, c.unit, c.quantity.typical, c.usage_based,
                                     c.assumption, f"{looked} in {catalog.region}"))
        except AmbiguousPrice as exc:
            raise EstimateError(f"{where}{exc}") from None
    return out


class _Reads:
    """An environment that notes which of its fields are read (a pricer's inputs)."""

    __slots__ = ("_env", "names")

    def __init__(self, env: Environment) -> None:
        self._env = env
        self.names: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name not in self.names:
            self.names.append(name)
        return getattr(self._env, name)


class Shared:
    """What repeated estimates of variants of one sizing share (the optimizer prices dozens of them): each
    pricer's priced lines, kept with the sizing fields the pricer read to make them, as their JSON (exact: 0.5
    and 0.50 differ there). A pricer is a pure function of the sizing and the catalog, so a sizing with the same
    values in those fields gets the same lines: a variant re-prices only the services its change touches. One
    object per run: nothing is kept beyond it."""

    def __init__(self) -> None:
        self._kept: dict[Pricer, list[tuple[Catalog, tuple[str, ...], tuple[Any, ...], list[Entry]]]] = {}

    def priced(self, fn: Pricer, env: Environment, fields: dict[str, Any], catalog: Catalog,
               where: str) -> list[Entry]:
        """`fn`'s priced lines for `env` (`fields`: its JSON form, from model_dump(mode="json"))."""
        kept = self._kept.setdefault(fn, [])
        for cat, names, values, entries in kept:
            if cat is catalog and tuple(fields[f] for f in names) == values:
                return entries
        reads = _Reads(env)
        entries = _priced(fn, cast(Environment, reads), catalog, where)
        names = tuple(reads.names)
        if all(f in fields for f in names):  # only the sizing's fields: a method read is not kept
            kept.append((catalog, names, tuple(fields[f] for f in names), entries))
        return entries


def _resolved(env: Environment, catalog: Catalog, name: str = "", shared: Shared | None = None) -> list[Entry]:
    """Every component of an environment with its price looked up, in output order (unpriced lines included),
    the exposures named on the lines they belong to."""
    where = f"{name}: " if name else ""
    out: list[Entry] = []
    fields = env.model_dump(mode="json") if shared is not None else {}
    for fn in service_modules(env):
        out += _priced(fn, env, catalog, where) if shared is None else shared.priced(fn, env, fields, catalog, where)
    comps = exposures.annotate(env, [e for e in out if isinstance(e, Component)], catalog)
    it = iter(comps)
    return [next(it) if isinstance(e, Component) else e for e in out]


def _components(entries: list[Entry]) -> list[Component]:
    return [e for e in entries if isinstance(e, Component)]


def environment_items(env: Environment, catalog: Catalog, name: str = "",
                      used: allowances.Used | None = None) -> list[LineItem]:
    """The environment's lines, with account-wide free allowances applied after `used` (what earlier
    environments of the same account took; none: the environment is its own account)."""
    entries = _resolved(env, catalog, name)
    allocated = iter(allowances.allocate(_components(entries), used or {}, catalog)[0])
    return [line_item(next(allocated)) if isinstance(e, Component) else e for e in entries]


def environment_components(env: Environment, catalog: Catalog, name: str = "",
                           used: allowances.Used | None = None, shared: Shared | None = None) -> list[Component]:
    """The priced components of an environment, allowances applied (for the optimizer, which compares priced
    alternatives: a line without a price is an error there). `shared`: what earlier estimates of the same run
    priced."""
    entries = _resolved(env, catalog, name, shared)
    missing = [e for e in entries if isinstance(e, LineItem)]
    if missing:
        where = f"{name}: " if name else ""
        raise EstimateError(f"{where}no price in the catalog for {missing[0].looked_for}")
    return allowances.allocate(_components(entries), used or {}, catalog)[0]


def defaulted_usage(env: Environment, name: str) -> list[str]:
    """Usage fields the config left out: shown as assumptions of zero, never hidden."""
    notes = []
    for section in ("rds", "nat", "alb", "cloudfront", "s3", "cloudwatch", "other", "aurora",
                    "elasticache_serverless", "kms", "xray", "vpc_endpoints", "nlb"):
        model = getattr(env, section)
        if model is None:
            continue
        for fname, info in type(model).model_fields.items():
            if info.annotation is Band and fname not in model.model_fields_set:
                notes.append(f"{name}.{section}.{fname} not given: assumed 0")
    return notes


def estimate(stack: Stack, environment: str, catalog: Catalog, *, strict: bool = False) -> Estimate:
    if environment not in stack.environments:
        known = ", ".join(stack.environments)
        raise EstimateError(f"no environment {environment!r} in the config (it has: {known})")
    env = stack.environments[environment]
    check_environment(environment, env, catalog)
    used = allowances.prior_use(stack, environment, catalog,
                                lambda n, e: _components(_resolved(e, catalog, n)))
    items = environment_items(env, catalog, environment, used)
    missing = [i for i in items if i.unpriced]
    if strict and missing:
        raise UnpricedError(f"{environment}: {len(missing)} line(s) have no price in the {catalog.region} catalog: "
                            + "; ".join(f"{i.service} {i.component} (looked for {i.looked_for})" for i in missing))
    notes = defaulted_usage(env, environment) + allowances.sharing_note(stack, environment) + \
        exposures.notes(env, environment, catalog)
    from stackcost.catalog.info import provenance

    prov = provenance(catalog)
    return Estimate(environment=environment, region=catalog.region, items=items, assumptions=notes,
                    published_min=prov["published_min"], published_max=prov["published_max"], provenance=prov)
