"""Stack + catalog -> Estimate: priced line items, totals with a low-high band, assumptions, catalog dates.

Money: quantities and prices stay exact Decimals; each line is rounded once to the cent (half up) and totals
are the sum of the rounded lines, so every table adds up to the cent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from stackcost import allowances, exposures
from stackcost.catalog import AmbiguousPrice, Catalog, PriceNotFound
from stackcost.errors import StackcostError
from stackcost.services import alb, cloudfront, cloudwatch, elasticache, fargate, nat, network, other, rds, s3
from stackcost.services.additions import ADDED_SERVICES
from stackcost.services.base import Component
from stackcost.sizing.catalog_check import check_environment
from stackcost.sizing.model import Band, Environment, Stack
from stackcost.util import plain

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = 1
CENT = Decimal("0.01")
MONTHS_PER_YEAR = 12
HOURS_PER_MONTH = Decimal(730)  # AWS bills a month as 730 hours (8,760 / 12)

# Order of the services in every output.
SERVICE_MODULES: list[Callable[[Environment, Catalog], list[Component]]] = [
    fargate.components, rds.components, elasticache.components, nat.components, alb.components,
    cloudfront.components, s3.components, cloudwatch.components, other.components, network.components,
    *ADDED_SERVICES,
]


class EstimateError(StackcostError):
    """A price the stack needs is not in the catalog (the message names what was looked for)."""


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineItem:
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
    free_quantity: Decimal = Decimal(0)  # the free allowance subtracted from `quantity`

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service, "component": self.component, "usage_type": self.usage_type,
            "quantity": plain(self.quantity), "unit": self.unit, "unit_price_usd": plain(self.unit_price_usd),
            "monthly_usd": str(self.monthly_usd), "monthly_usd_low": str(self.monthly_usd_low),
            "monthly_usd_high": str(self.monthly_usd_high), "usage_based": self.usage_based, "sku": self.sku,
            "rate_code": self.rate_code, "published": self.published, "source": self.source,
            "assumption": self.assumption, "free_quantity": plain(self.free_quantity),
        }


@dataclass
class Estimate:
    environment: str
    region: str
    items: list[LineItem]
    assumptions: list[str] = field(default_factory=list)
    published_min: str = ""
    published_max: str = ""

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
            "catalog": {"published_min": self.published_min, "published_max": self.published_max},
            "line_items": [i.to_json() for i in self.items],
            "total_monthly_usd": str(self.total),
            "total_monthly_usd_low": str(self.total_low),
            "total_monthly_usd_high": str(self.total_high),
            "total_yearly_usd": str(self.total * MONTHS_PER_YEAR),
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


def environment_components(env: Environment, catalog: Catalog, name: str = "",
                           used: allowances.Used | None = None) -> list[Component]:
    """The environment's priced lines, with account-wide free allowances applied after `used` (what earlier
    environments of the same account took; none: the environment is its own account)."""
    return allowances.allocate(_priced(env, catalog, name), used or {}, catalog)[0]


def _priced(env: Environment, catalog: Catalog, name: str = "") -> list[Component]:
    out: list[Component] = []
    for fn in SERVICE_MODULES:
        try:
            out += fn(env, catalog)
        except (PriceNotFound, AmbiguousPrice) as exc:
            where = f"{name}: " if name else ""
            raise EstimateError(f"{where}{exc}") from None
    return exposures.annotate(env, out, catalog)


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


def estimate(stack: Stack, environment: str, catalog: Catalog) -> Estimate:
    if environment not in stack.environments:
        known = ", ".join(stack.environments)
        raise EstimateError(f"no environment {environment!r} in the config (it has: {known})")
    env = stack.environments[environment]
    check_environment(environment, env, catalog)
    used = allowances.prior_use(stack, environment, catalog, lambda n, e: _priced(e, catalog, n))
    items = [line_item(c) for c in environment_components(env, catalog, environment, used)]
    lo, hi = catalog.published_range()
    notes = defaulted_usage(env, environment) + allowances.sharing_note(stack, environment) + \
        exposures.notes(env, environment, catalog)
    return Estimate(environment=environment, region=stack.region, items=items,
                    assumptions=notes, published_min=lo, published_max=hi)
