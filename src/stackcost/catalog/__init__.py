"""The Seoul price catalog: records with provenance, exact lookup, tiers."""

from stackcost.catalog.lookup import AmbiguousPrice, Catalog, PriceNotFound
from stackcost.catalog.records import PriceRecord
from stackcost.catalog.store import CatalogError
from stackcost.catalog.tiers import TierCharge, split_tiers

__all__ = ["AmbiguousPrice", "Catalog", "CatalogError", "PriceNotFound", "PriceRecord", "TierCharge", "split_tiers"]
