"""The on-disk catalog: one sorted JSON Lines file per offer, and a manifest with checksums.

Layout of `pricing_data/<region>/`:
    manifest.json            per offer: file, record count, sha256, publication dates, sources; gaps; exclusions
    <OfferCode>.jsonl        one PriceRecord per line, sorted, so a refresh diffs well in git

Writing is atomic: everything goes to a sibling temp directory that is renamed into place, so a crash at any
point leaves either the old catalog or the new one, never a mixture.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stackcost.catalog.records import PriceRecord
from stackcost.errors import StackcostError

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"


class CatalogError(StackcostError):
    """The catalog on disk is missing, tampered with or truncated."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def serialise(records: Iterable[PriceRecord]) -> dict[str, bytes]:
    """Offer code -> file bytes (sorted JSON Lines)."""
    by_offer: dict[str, list[PriceRecord]] = {}
    for rec in records:
        by_offer.setdefault(rec.offer_code, []).append(rec)
    out: dict[str, bytes] = {}
    for offer, recs in sorted(by_offer.items()):
        recs.sort(key=PriceRecord.sort_key)
        out[offer] = ("\n".join(r.to_json() for r in recs) + "\n").encode("utf-8")
    return out


def offer_summary(offer: str, recs: list[PriceRecord], data: bytes) -> dict[str, Any]:
    dates = sorted(r.published for r in recs if r.published)
    return {
        "file": f"{offer}.jsonl",
        "records": len(recs),
        "sha256": _sha256(data),
        "published_min": dates[0] if dates else "",
        "published_max": dates[-1] if dates else "",
        "services": sorted({r.service for r in recs}),
        "service_codes": sorted({r.service_code for r in recs}),
        "sources": sorted({r.source for r in recs}),
        "regions": sorted({r.region for r in recs}),
    }


def write_catalog(target: Path, records: list[PriceRecord], extra: dict[str, Any]) -> None:
    """Write records + manifest to `target` atomically (temp dir, then rename)."""
    files = serialise(records)
    by_offer: dict[str, list[PriceRecord]] = {}
    for rec in records:
        by_offer.setdefault(rec.offer_code, []).append(rec)
    manifest: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "region": extra.get("region", ""),
        "offers": {o: offer_summary(o, by_offer[o], files[o]) for o in files},
    }
    manifest.update({k: v for k, v in extra.items() if k != "region"})
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the catalog is meant to be readable
    try:
        for offer, data in files.items():
            (tmp / f"{offer}.jsonl").write_bytes(data)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        for f in tmp.iterdir():
            with f.open("rb") as fh:
                os.fsync(fh.fileno())
        swap_in(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _old(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def recover(target: Path) -> None:
    """Finish or undo a swap that was killed between its two renames: put the old catalog back."""
    old = _old(target)
    if not target.exists() and (old / MANIFEST).is_file():
        os.rename(old, target)


def swap_in(new_dir: Path, target: Path) -> None:
    """Replace `target` by `new_dir` with renames only; the old directory is removed last."""
    recover(target)
    old = _old(target)
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.rename(target, old)
    os.rename(new_dir, target)
    shutil.rmtree(old, ignore_errors=True)


def read_manifest(directory: Path) -> dict[str, Any]:
    recover(directory)
    path = directory / MANIFEST
    if not path.is_file():
        raise CatalogError(f"no price catalog at {directory} (missing {MANIFEST}); run `cost catalog build`")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{path} is not valid JSON (line {exc.lineno}): the catalog is damaged") from exc
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise CatalogError(f"{path}: schema_version {manifest.get('schema_version')!r}, expected {SCHEMA_VERSION}")
    return manifest


def read_offer_bytes(directory: Path, info: dict[str, Any]) -> bytes:
    """One offer file's bytes, verified against its checksum in the manifest."""
    path: Path = directory / info["file"]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError(f"{path} is missing from the catalog (listed in {MANIFEST})") from None
    if _sha256(data) != info["sha256"]:
        raise CatalogError(
            f"{path} does not match its checksum in {MANIFEST}: the file was changed or truncated; "
            "restore it (git checkout pricing_data) or rebuild with `cost catalog build`"
        )
    return data


def parse_offer(directory: Path, info: dict[str, Any], data: bytes) -> list[PriceRecord]:
    lines = data.decode("utf-8").splitlines()
    if len(lines) != info["records"]:
        raise CatalogError(f"{directory / info['file']}: {len(lines)} records, manifest says {info['records']}")
    return [PriceRecord(**json.loads(line)) for line in lines]


def read_offer(directory: Path, info: dict[str, Any]) -> list[PriceRecord]:
    return parse_offer(directory, info, read_offer_bytes(directory, info))


def read_records(directory: Path, manifest: dict[str, Any]) -> list[PriceRecord]:
    """Load every offer file, verifying its checksum and record count against the manifest."""
    records: list[PriceRecord] = []
    for info in manifest["offers"].values():
        records.extend(read_offer(directory, info))
    return records
