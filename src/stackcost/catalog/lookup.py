"""Exact price lookup over a loaded catalog.

`catalog.price(...)` returns exactly one record or raises: `PriceNotFound` names the filter and suggests the
nearest values that do exist; `AmbiguousPrice` lists the candidates. There is no default price, ever.
"""

from __future__ import annotations

import _thread
import os

from stackcost.catalog.records import PriceRecord
from stackcost.catalog.store import MANIFEST, CatalogError, OfferFile, catalog_lock, read_manifest
from stackcost.errors import StackcostError
from stackcost.paths import plain_path, pricing_data_dir
from stackcost.regions import DEFAULT_REGION, GLOBAL

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (slow here); mypy takes it as True

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date
    from decimal import Decimal
    from pathlib import Path
    from typing import Any

# Only what loading needs is imported here (difflib, datetime and decimal wait for the lookups that use them):
# a command that loads the catalog pays for these imports on every run.


def available_catalogs(root: Path | str | None = None) -> list[str]:
    """The regions that have a shipped (or refreshed) catalog."""
    base = plain_path(root) if root else pricing_data_dir()
    if not os.path.isdir(base):
        return []
    return sorted(name for name in os.listdir(base)
                  if name != GLOBAL and os.path.isfile(os.path.join(base, name, MANIFEST)))


def _region_code(text: str) -> bool:
    """re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\\d|global", text), without importing re."""
    if text == "global":
        return True
    parts = text.split("-")
    letters = all(p and p.isascii() and p.isalpha() and p.islower() for p in parts[:-1])
    return len(parts) >= 3 and len(parts[0]) == 2 and letters and len(parts[-1]) == 1 and parts[-1].isdecimal()


class PriceNotFound(StackcostError, LookupError):
    def __init__(self, filters: dict[str, Any], hint: str = "") -> None:
        self.filters = filters
        self.hint = hint
        shown = ", ".join(f"{k}={v!r}" for k, v in filters.items() if v is not None)
        super().__init__(f"no price in the catalog for {shown}" + (f" ({hint})" if hint else ""))


class AmbiguousPrice(StackcostError, LookupError):
    def __init__(self, filters: dict[str, Any], candidates: list[PriceRecord]) -> None:
        self.candidates = candidates
        shown = ", ".join(f"{k}={v!r}" for k, v in filters.items() if v is not None)
        listed = "; ".join(f"{c.description} [{c.rate_code or c.sku or c.usage_type}]" for c in candidates[:6])
        super().__init__(f"{len(candidates)} prices match {shown}: {listed}")


_FIELDS = ("service", "product_family", "usage_type", "term", "purchase_option", "lease_years")


class Catalog:
    """The price records of one region plus the global ones (CloudFront, Route 53), with exact lookup.

    Every offer file is opened at load, with the manifest, under the catalog's shared lock (so a later refresh
    cannot pair the old manifest with new files); reading, checking its checksum and parsing wait until a lookup
    needs the offer (the manifest says which service codes each offer holds), so a command reads only what it
    uses. `verify()` reads every offer now."""

    def __init__(self, region: str, records: list[PriceRecord], manifest: dict[str, Any]) -> None:
        self.region = region
        self.manifest = manifest
        self._by_service_code: dict[str, list[PriceRecord]] = {}
        # Most lookups name a term (OnDemand by default): RDS alone has hundreds of Reserved rates to skip.
        self._by_term: dict[tuple[str, str], list[PriceRecord]] = {}
        # Lookups repeat (the optimizer re-estimates an environment dozens of times): remember each answer.
        self._found: dict[tuple[Any, ...], tuple[PriceRecord, ...]] = {}
        self._pending: list[OfferFile] = []  # offers opened, not read or not wholly parsed yet
        self._files: list[OfferFile] = []  # every offer file, in the manifests' order
        self._where: dict[int, tuple[int, int]] = {}  # id(record) -> (offer, line): the files' order
        self._sorted = False
        self._lock = _thread.allocate_lock()
        self._loaded: list[PriceRecord] = []
        self._add(records)

    def _add(self, records: list[PriceRecord], offer: int = -1, lines: list[int] | None = None) -> None:
        """Index records; `offer` and `lines` say where each stands in the files, so every list keeps the files'
        order whichever term or service code was parsed first (records given directly come first)."""
        touched: set[Any] = set()
        for i, rec in enumerate(records):
            self._where[id(rec)] = (offer, lines[i] if lines else i)
            self._loaded.append(rec)
            self._by_service_code.setdefault(rec.service_code, []).append(rec)
            self._by_term.setdefault((rec.service_code, rec.term), []).append(rec)
            touched.add(rec.service_code)
            touched.add((rec.service_code, rec.term))
        if offer >= 0:
            where = self._where
            for key in touched:
                table: dict[Any, list[PriceRecord]] = self._by_service_code if isinstance(key, str) else self._by_term
                table[key].sort(key=lambda r: where[id(r)])

    @classmethod
    def load(cls, region: str = DEFAULT_REGION, root: Path | str | None = None, *, with_global: bool = True) -> Catalog:
        base = plain_path(root) if root else pricing_data_dir()
        if not _region_code(region):
            raise CatalogError(f"{region[:40]!r} is not an AWS region code (e.g. ap-northeast-2)")
        directory = os.path.join(base, region)
        if not os.path.isfile(os.path.join(directory, MANIFEST)) \
                and not os.path.isdir(os.path.join(base, f".{region}.old")):
            have = available_catalogs(base)
            if not have:
                raise CatalogError(f"no price catalog at {base}: run cost catalog build --from <shared/aws-prices> "
                                   f"or cost catalog refresh --region {region}")
            raise CatalogError(f"no price catalog for {region} (have: {', '.join(have)}); run "
                               f"cost catalog refresh --region {region}")
        # A swap a killed writer left half-done is undone first (that needs the lock exclusively); then the
        # manifest is read and every offer file opened together under the shared lock, so a refresh cannot swap
        # between them. The files are read and checked against the manifest when a lookup first needs them.
        try:  # noqa: SIM105 - contextlib is one more import for every command
            read_manifest(directory)
        except CatalogError:
            pass
        with catalog_lock(directory, exclusive=False):
            manifest = read_manifest(directory)
            cat = cls(region, [], manifest)
            cat._pending = [OfferFile(directory, info) for info in manifest["offers"].values()]
        global_dir = os.path.join(base, GLOBAL)
        if with_global and region != GLOBAL and os.path.isfile(os.path.join(global_dir, MANIFEST)):
            with catalog_lock(global_dir, exclusive=False):
                gm = read_manifest(global_dir)
                cat.global_manifest = gm
                cat._pending += [OfferFile(global_dir, info) for info in gm["offers"].values()]
        cat._files = list(cat._pending)
        return cat

    global_manifest: dict[str, Any] | None = None

    def _need(self, service_code: str | None, term: str | None = None) -> None:
        """Read, verify and parse what a lookup needs: the records of `term` (every term when None) in the
        offers that hold `service_code` (every offer when None). A failed offer fails the same way next time;
        what was parsed before it stays."""
        if not self._pending:
            return
        with self._lock:  # a cached catalog is shared by the page's threads
            for offer in self._pending:
                codes = offer.info.get("service_codes")
                if service_code is None or codes is None or service_code in codes:
                    got = offer.take(term)
                    self._add([rec for _, rec in got], self._files.index(offer), [n for n, _ in got])
            self._pending = [o for o in self._pending if not o.done]

    @property
    def records(self) -> list[PriceRecord]:
        """Every record, in the files' order."""
        self._need(None)
        if not self._sorted:
            where = self._where
            self._loaded.sort(key=lambda r: where[id(r)])
            self._sorted = True
        return self._loaded

    def verify(self) -> None:
        """Read (and so checksum) every offer now."""
        self._need(None)

    # -- queries ----------------------------------------------------------------------------------------

    def find(
        self,
        service_code: str,
        *,
        term: str | None = "OnDemand",
        region: str | None = None,
        include_reference: bool = False,
        **filters: Any,
    ) -> list[PriceRecord]:
        """Every record matching all filters. Field filters: service, product_family, usage_type,
        purchase_option, lease_years; any other keyword matches a product attribute."""
        region = region or self.region
        key = (service_code, term, region, include_reference, tuple(sorted(filters.items())))
        cached = self._found.get(key)
        if cached is not None:
            return list(cached)
        self._need(service_code, term)
        fields = [(k, v) for k, v in filters.items() if k in _FIELDS and v is not None]
        attrs = [(k, v) for k, v in filters.items() if k not in _FIELDS and v is not None]
        candidates = self._by_service_code.get(service_code, ()) if term is None else \
            self._by_term.get((service_code, term), ())
        out = []
        for rec in candidates:  # plain loops: the first estimate runs this over every RDS rate dozens of times
            if rec.region != region and rec.region != GLOBAL and not include_reference:
                continue
            for k, v in fields:
                if getattr(rec, k) != v:
                    break
            else:
                have = rec.attributes
                for k, v in attrs:
                    if have.get(k) != v:
                        break
                else:
                    out.append(rec)
        self._found[key] = tuple(out)
        return out

    def price(self, service_code: str, **filters: Any) -> PriceRecord:
        """Exactly one record, or PriceNotFound / AmbiguousPrice."""
        found = self.find(service_code, **filters)
        shown = {"service_code": service_code, **filters}
        if not found:
            raise PriceNotFound(shown, self._suggest(service_code, filters))
        if len(found) > 1:
            raise AmbiguousPrice(shown, found)
        return found[0]

    def tiers(self, service_code: str, **filters: Any) -> list[PriceRecord]:
        """The tier records of one price, in ascending order; PriceNotFound if there are none."""
        found = [r for r in self.find(service_code, **filters) if r.tier_start is not None]
        if not found:
            shown = {"service_code": service_code, **filters}
            raise PriceNotFound(shown, self._suggest(service_code, filters) or "no tiered price")
        found.sort(key=lambda r: float(r.tier_start or 0))
        return found

    def free_allowance_record(self, service_code: str, **filters: Any) -> PriceRecord:
        """The FreeTier record of an allowance (its size is its tier_end)."""
        return self.price(service_code, term="FreeTier", **filters)

    def free_allowance(self, service_code: str, **filters: Any) -> Decimal:
        from decimal import Decimal

        rec = self.free_allowance_record(service_code, **filters)
        return Decimal(rec.tier_end or 0)

    def values(self, service_code: str, key: str, **filters: Any) -> list[str]:
        """Distinct values of a field or attribute among matching records (for menus and suggestions)."""
        vals = {_value(r, key) for r in self.find(service_code, **filters)}
        return sorted(v for v in vals if v)

    def _suggest(self, service_code: str, filters: dict[str, Any]) -> str:
        self._need(service_code)
        if service_code not in self._by_service_code:
            if self._pending:
                self._need(None)
            near = _closest(service_code, self._by_service_code)
            return f"did you mean {near}?" if near else "unknown service code"
        # For each filter, what values exist when the others hold? The first one that fails is the culprit.
        for key, wanted in filters.items():
            if key in ("term", "region", "include_reference") or wanted is None:
                continue
            others = {k: v for k, v in filters.items() if k != key}
            existing = self.values(service_code, key, **others)
            if str(wanted) not in existing:
                near = _closest(str(wanted), existing)
                if near:
                    return f"did you mean {key}={near!r}?"
                if existing:
                    return f"{key} can be: " + ", ".join(existing[:8]) + (" ..." if len(existing) > 8 else "")
        return ""

    # -- metadata ---------------------------------------------------------------------------------------

    def published_range(self) -> tuple[str, str]:
        dates = sorted(r.published for r in self.records if r.published and r.region in (self.region, GLOBAL))
        return (dates[0], dates[-1]) if dates else ("", "")

    def search(self, text: str, *, service_code: str | None = None, term: str | None = None) -> list[PriceRecord]:
        needle = text.lower()
        out = []
        for rec in self.records:
            if service_code and rec.service_code.lower() != service_code.lower() and \
                    rec.service.lower() != service_code.lower():
                continue
            if term and rec.term.lower() != term.lower():
                continue
            hay = " ".join((rec.usage_type, rec.description, rec.sku, rec.rate_code,
                            *rec.attributes.values())).lower()
            if needle in hay:
                out.append(rec)
        out.sort(key=PriceRecord.sort_key)
        return out

    def age_days(self, today: date | None = None) -> int | None:
        from datetime import date

        _, newest = self.published_range()
        if not newest:
            return None
        return ((today or date.today()) - date.fromisoformat(newest)).days


def _value(rec: PriceRecord, key: str) -> str:
    if key in _FIELDS:
        return str(getattr(rec, key) or "")
    return rec.attributes.get(key, "")


def _closest(word: str, options: Iterable[str]) -> str:
    import difflib

    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return match[0] if match else ""
