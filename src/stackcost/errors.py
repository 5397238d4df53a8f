"""The exceptions that mean "the user asked for something wrong or missing": the CLI prints them as one line."""

from __future__ import annotations

from stackcost.catalog.lookup import AmbiguousPrice, PriceNotFound
from stackcost.catalog.refresh.errors import RefreshError
from stackcost.catalog.sources.shared import BuildError
from stackcost.catalog.store import CatalogError
from stackcost.estimate import EstimateError
from stackcost.optimize.sp_sizing import UsageProfileError
from stackcost.report.actuals import ActualsError
from stackcost.sizing.load import ConfigError
from stackcost.terraform.load import TerraformError

USER_ERRORS: tuple[type[Exception], ...] = (
    ActualsError, AmbiguousPrice, BuildError, CatalogError, ConfigError, EstimateError, PriceNotFound, RefreshError,
    TerraformError, UsageProfileError,
)
