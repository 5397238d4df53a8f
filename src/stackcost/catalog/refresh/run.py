"""Refresh orchestration: fetch -> merge -> diff -> safety checks -> atomic install (or a dry run)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stackcost.catalog.build import find_gaps
from stackcost.catalog.lookup import Catalog
from stackcost.catalog.records import PriceRecord
from stackcost.catalog.refresh.errors import RefreshError, RefreshRefused
from stackcost.catalog.refresh.http import Http
from stackcost.catalog.refresh.merge import Diff, Source, merge
from stackcost.catalog.refresh.pricelist import Fetched
from stackcost.catalog.store import CatalogError, catalog_lock, read_manifest, write_catalog
from stackcost.paths import region_dir
from stackcost.regions import DEFAULT_REGION, GLOBAL

GLOBAL_OFFERS = ("AmazonCloudFront", "AmazonRoute53")  # one price list for every region

PRICE_LIST_OFFERS = ["AmazonECS", "AmazonRDS", "AmazonElastiCache", "AmazonEC2", "AWSELB", "AmazonVPC",
                     "AmazonCloudFront", "AmazonS3", "AmazonCloudWatch", "AWSDataTransfer", "AWSSecretsManager",
                     "AmazonECR", "awswaf", "AmazonRoute53"]
SAVINGS_PLAN_OFFERS = ["AWSComputeSavingsPlan", "AWSDatabaseSavingsPlans"]
SPOT_FEED = "FargateSpotFeed"
ALL_OFFERS = [*PRICE_LIST_OFFERS, *SAVINGS_PLAN_OFFERS, SPOT_FEED]
DEFAULT_MAX_LOSS = 0.2


@dataclass
class RefreshResult:
    diff: Diff
    installed: bool
    target: Path
    records: int


Progress = Callable[[str, int, int | None, int], None]


def _offers(services: list[str] | None) -> list[str]:
    if not services:
        return list(ALL_OFFERS)
    lower = {o.lower(): o for o in ALL_OFFERS}
    out = []
    for s in services:
        if s.lower() not in lower:
            from stackcost.safeio import echo

            raise RefreshError(f"unknown service {echo(s)}; one of: {', '.join(ALL_OFFERS)}")
        out.append(lower[s.lower()])
    return out


def check(diff: Diff, max_loss: float) -> list[str]:
    """Reasons to refuse the new catalog (empty = safe)."""
    reasons = []
    for offer, d in sorted(diff.offers.items()):
        if d.before and d.after == 0:
            reasons.append(f"{offer} would lose all {d.before} of its records")
        elif d.before and d.removed / d.before > max_loss:
            reasons.append(f"{offer} would lose {d.removed} of its {d.before} records "
                           f"(more than {max_loss:.0%})")
    return reasons


def fetch(source: str, offers: list[str], region: str, catalog: Catalog, *, endpoint: str | None,
          profile: str | None, spot_url: str | None, retrieved: str, http: Any = None,
          session: Any = None, progress: Progress | None = None) -> tuple[dict[str, list[Fetched]],
                                                                          dict[str, Source]]:
    http = http or Http()
    fetched: dict[str, list[Fetched]] = {}
    sources: dict[str, Source] = {}
    pl = [o for o in offers if o != SPOT_FEED]
    known = {o: {r.sku for r in catalog.records if r.offer_code == o and r.sku} for o in pl}
    cached = catalog.published_range()[1] or "unknown date"
    if pl and source == "api":
        from stackcost.catalog.refresh import api

        offer = pl[0]
        try:
            import boto3

            session = session or boto3.Session(profile_name=profile)
            pricing = session.client("pricing", region_name="us-east-1", config=api.client_config())
            sp = session.client("savingsplans", region_name="us-east-1", config=api.client_config())
            for offer in pl:
                if offer in api.SP_TYPES:
                    fetched[offer] = api.fetch_savings_plans(sp, offer, region, retrieved)
                else:
                    fetched[offer] = api.fetch_products(pricing, offer, region, known[offer])
                api_name = "savingsplans" if offer in api.SP_TYPES else "pricing"
                sources[offer] = Source("api", f"AWS Price List API ({api_name}:{offer})", retrieved)
        except RefreshError:
            raise
        except (KeyError, TypeError, AttributeError, ValueError, IndexError, ArithmeticError) as exc:
            # An answer of the wrong shape (the API's JSON is parsed here, not by botocore's models).
            raise RefreshError(f"{offer}: the Price List API answer is not in the expected format "
                               f"({type(exc).__name__})") from None
        except Exception as exc:
            if type(exc).__module__.startswith(("botocore", "boto3")):
                raise api.translate(exc, cached) from None
            raise
    elif pl and source == "bulk":
        from stackcost.catalog.refresh.bulk import DEFAULT_ENDPOINT, fetch_bulk

        got, urls = fetch_bulk(http, endpoint or DEFAULT_ENDPOINT, pl, region, known, progress)
        fetched.update(got)
        sources.update({o: Source("bulk", urls[o], retrieved) for o in got})
    elif pl:
        raise RefreshError(f"unknown source {source!r}: api or bulk")
    if SPOT_FEED in offers:
        from stackcost.catalog.refresh.spot import DEFAULT_SPOT_URL, fetch_spot

        url = spot_url or DEFAULT_SPOT_URL
        fetched[SPOT_FEED] = fetch_spot(http, url, region, retrieved)
        sources[SPOT_FEED] = Source("spot-feed", url, retrieved)
    return fetched, sources


def refresh(source: str, *, region: str = DEFAULT_REGION, services: list[str] | None = None,
            endpoint: str | None = None, profile: str | None = None, spot_url: str | None = None,
            root: Path | None = None, dry_run: bool = False, force: bool = False,
            max_loss: float = DEFAULT_MAX_LOSS, http: Any = None, session: Any = None,
            progress: Progress | None = None, now: datetime | None = None,
            notice: Callable[[str], None] | None = None) -> RefreshResult:
    """Fetch, then (under the catalog lock) re-read the installed catalog, merge, check and install.
    `notice` hears about waits (for the lock, for a server that is slow or throttling); default: none."""
    import math

    if not isinstance(max_loss, int | float) or not math.isfinite(max_loss) or not 0 <= max_loss <= 1:
        raise RefreshError(f"max_loss {max_loss!r}: expected a share between 0 and 1")
    target = region_dir(region, root)
    with contextlib.suppress(CatalogError):
        read_manifest(target)  # undoes a swap a killed writer left half-done, before we hold the lock shared
    with catalog_lock(target, exclusive=False, notice=notice):
        both = Catalog.load(region, root)  # a damaged catalog is an error before anything is fetched
        both.verify()
    offers = _offers(services)
    stamp = now or datetime.now(UTC)
    retrieved = stamp.date().isoformat()
    fetched, sources = fetch(source, offers, region, both, endpoint=endpoint, profile=profile,
                             spot_url=spot_url, retrieved=retrieved, http=http or Http(notice=notice),
                             session=session, progress=progress)
    # CloudFront and Route 53 prices are global: merged into and installed in pricing_data/global/.
    parts = [(region, {o: f for o, f in fetched.items() if o not in GLOBAL_OFFERS})]
    if any(o in GLOBAL_OFFERS for o in fetched):
        parts.append((GLOBAL, {o: f for o, f in fetched.items() if o in GLOBAL_OFFERS}))

    def merged() -> tuple[list[tuple[str, Catalog, list[PriceRecord], Diff]], Diff]:
        out, diff = [], Diff()
        for where, got in parts:
            cat = Catalog.load(where, root, with_global=False)
            records, d = merge(cat.records, got, where, sources)
            out.append((where, cat, records, d))
            diff.offers.update(d.offers)
        reasons = check(diff, max_loss)
        if reasons and not force:
            raise RefreshRefused("; ".join(reasons) + "; nothing was installed (--force installs it anyway)")
        return out, diff

    if dry_run:
        out, diff = merged()
        return RefreshResult(diff=diff, installed=False, target=target, records=len(out[0][2]))
    # Merge into the catalogs as they are now, not as they were when the fetch began: another refresh may have
    # installed other offers meanwhile, and merging into the stale copy would silently undo its update.
    with contextlib.ExitStack() as held:
        for where, _ in parts:
            held.enter_context(catalog_lock(region_dir(where, root), notice=notice))
        out, diff = merged()
        for where, cat, records, d in out:
            install(region_dir(where, root), records, cat.manifest, where, d, sources, stamp, locked=True)
    return RefreshResult(diff=diff, installed=True, target=target, records=len(out[0][2]))


def install(target: Path, records: list[PriceRecord], manifest: dict[str, Any], region: str, diff: Diff,
            sources: dict[str, Source], stamp: datetime, *, locked: bool = False) -> None:
    refreshes = dict(manifest.get("refreshes", {}))
    for offer, d in diff.offers.items():
        src = sources[offer]
        refreshes[offer] = {"source": src.kind, "from": src.where, "refreshed_at": stamp.isoformat(timespec="seconds"),
                            "records": d.after, "added": d.added, "removed": d.removed, "changed": d.changed}
    extra = {k: v for k, v in manifest.items() if k not in ("schema_version", "offers")}
    extra.update(region=region, gaps=[] if region == GLOBAL else find_gaps(records, region), refreshes=refreshes)
    write_catalog(target, records, extra, locked=locked)
