"""The on-disk catalog: one sorted JSON Lines file per offer, and a manifest with checksums.

Layout of `pricing_data/<region>/`:
    manifest.json            per offer: file, record count, sha256, publication dates, sources; gaps; exclusions
    <OfferCode>.jsonl        one PriceRecord per line, sorted, so a refresh diffs well in git

Writing is atomic: everything goes to a sibling temp directory that is renamed into place, so a crash at any
point leaves either the old catalog or the new one, never a mixture.

One writer at a time: a writer holds an exclusive lock on `.<region>.lock` beside the catalog (its pid written in
it) from re-reading the catalog to the swap, so two refreshes of different offers both land. Readers take the same
lock shared while they read, so they never see a half-swapped directory. flock(2) locks die with their process:
a killed refresh never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from stackcost.catalog.records import PriceRecord
from stackcost.errors import StackcostError

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"


class CatalogError(StackcostError):
    """The catalog on disk is missing, tampered with or truncated."""


class CatalogBusy(CatalogError):
    """Another process held the catalog lock for longer than we were willing to wait."""


LOCK_WAIT_S = 120.0  # a writer holds the lock for a merge and a write: seconds, not minutes
MAX_RECORD_BYTES = 64 * 1024 * 1024  # one offer file; the shipped ones are well under 1 MB


_HELD: dict[tuple[str, int], list[Any]] = {}  # (lock file, thread) held -> [exclusive, nesting depth]


def _note(message: str) -> None:
    """A reader's wait, said on stderr (a bare library call has nobody else to tell)."""
    import sys

    print(f"note: {message}", file=sys.stderr, flush=True)


def _holding(target: Path) -> str | None:
    """"exclusive" or "shared" if this thread holds the catalog lock of `target`, else None."""
    import threading

    held = _HELD.get((str(_lock_path(target).absolute()), threading.get_ident()))
    if not held:
        return None
    return "exclusive" if held[0] else "shared"


def _lock_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.lock")


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii", errors="replace").strip()[:12]
    except OSError:
        return "another process"
    return f"process {pid}" if pid.isdigit() else "another process"


@contextmanager
def catalog_lock(target: Path, *, exclusive: bool = True, wait_s: float | None = None,
                 notice: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the catalog lock of `target` (exclusive for a writer, shared for a reader). Waits up to `wait_s`,
    telling `notice` once who holds it; then refuses with one CatalogBusy line. A reader of a catalog that has
    no lock file (never written in place, or on a read-only install) does not lock at all."""
    import fcntl

    wait_s = LOCK_WAIT_S if wait_s is None else wait_s
    path = _lock_path(target)
    import threading

    # Per thread: flock already lets two descriptors share a lock, and a writer thread must still wait for
    # another thread's readers; only a thread re-entering its own lock must not wait for itself.
    key = (str(path.absolute()), threading.get_ident())
    held = _HELD.get(key)
    if held:
        # This process already holds it (a writer re-reading the catalog): flock is per open file, so taking it
        # again through a second descriptor would wait for ourselves.
        if exclusive and not held[0]:
            raise RuntimeError(f"{path}: exclusive lock asked for while holding it shared")
        held[1] += 1
        try:
            yield
        finally:
            held[1] -= 1
        return
    try:
        if exclusive:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        else:
            fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        if exclusive:
            raise CatalogError(f"{target.parent}: cannot create the catalog lock there") from None
        yield
        return
    except OSError as exc:
        if exclusive:
            raise CatalogError(f"{path}: cannot take the catalog lock ({exc.strerror})") from None
        yield  # a read-only install: nobody can write it in place either
        return
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + wait_s
        told = False
        delay = 0.02
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise CatalogBusy(f"the price catalog {target} is being written by {_holder(path)} (lock "
                                      f"{path}); gave up after {wait_s:.0f} s, try again when it has finished") \
                        from None
                if not told and notice is not None:
                    notice(f"waiting for {_holder(path)} to finish writing the price catalog (lock {path})")
                    told = True
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        if exclusive:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _HELD[key] = [exclusive, 1]
        try:
            yield
        finally:
            _HELD.pop(key, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


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


def write_catalog(target: Path, records: list[PriceRecord], extra: dict[str, Any], *, locked: bool = False) -> None:
    """Write records + manifest to `target` atomically (temp dir, then rename), under the catalog lock unless
    the caller already holds it (`locked`)."""
    if not locked:
        with catalog_lock(target):
            write_catalog(target, records, extra, locked=True)
        return
    for rec in records:
        validate_record(rec, f"new record {rec.rate_code or rec.sku or rec.usage_type}")
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
    _sweep(target)
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
    """Finish or undo a swap that was killed between its two renames: put the old catalog back. Writers call it
    under the catalog lock; a reader calls it only after taking the lock too (see read_manifest)."""
    old = _old(target)
    if not target.exists() and (old / MANIFEST).is_file():
        with contextlib.suppress(FileNotFoundError):  # another process put it back first
            os.rename(old, target)


def _discard(path: Path) -> None:
    """Remove a directory without racing another remover: rename it to a name only we know, then delete."""
    if not path.exists():
        return
    doomed = path.with_name(f"{path.name}.{os.getpid()}.{time.monotonic_ns()}.rm")
    try:
        os.replace(path, doomed)
    except FileNotFoundError:
        return
    except OSError:
        doomed = path
    shutil.rmtree(doomed, ignore_errors=True)


def _sweep(target: Path) -> None:
    """Remove temp directories that killed writers left beside the catalog. Only called under the exclusive
    lock: no other writer is running, so every such directory is abandoned."""
    old = _old(target)
    for p in target.parent.glob(f".{target.name}.*"):
        if p.is_dir() and not p.is_symlink() and p != old:
            shutil.rmtree(p, ignore_errors=True)


def swap_in(new_dir: Path, target: Path) -> None:
    """Replace `target` by `new_dir` with renames only; the old directory is removed last. Callers hold the
    catalog lock (write_catalog does)."""
    recover(target)
    old = _old(target)
    _discard(old)
    if target.exists():
        os.rename(target, old)
    os.rename(new_dir, target)
    _discard(old)


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file() and _old(directory).is_dir():
        # Either a writer is between its two renames (wait for it) or one was killed there (undo it): both
        # under the writers' lock, so a reader never renames a directory a live writer is about to use.
        # Holding the lock shared, this thread cannot take it exclusively (that would wait for itself): it then
        # reports the catalog missing; refresh() recovers before it takes the lock shared.
        mode = _holding(directory)
        if mode == "exclusive":
            recover(directory)
        elif mode is None:
            try:
                with catalog_lock(directory, wait_s=30):
                    recover(directory)
            except CatalogError:
                pass
    if not path.is_file():
        raise CatalogError(f"no price catalog at {directory} (missing {MANIFEST}); run `cost catalog build`")
    try:
        manifest: Any = json.loads(path.read_bytes()[:MAX_RECORD_BYTES])
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", 1)
        raise CatalogError(f"{path} is not valid JSON (line {line}): the catalog is damaged") from None
    except OSError as exc:
        raise CatalogError(f"{path}: cannot be read ({exc.strerror})") from None
    if not isinstance(manifest, dict):
        raise CatalogError(f"{path}: not a catalog manifest (a JSON {type(manifest).__name__}, not an object)")
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise CatalogError(f"{path}: schema_version {_short(manifest.get('schema_version'))}, expected "
                           f"{SCHEMA_VERSION}")
    offers = manifest.get("offers")
    if not isinstance(offers, dict):
        raise CatalogError(f"{path}: no `offers` object; the catalog is damaged")
    for offer, info in offers.items():
        if not isinstance(info, dict) or not isinstance(info.get("file"), str) \
                or not isinstance(info.get("sha256"), str) or not isinstance(info.get("records"), int):
            raise CatalogError(f"{path}: offer {_short(offer)} lacks file/sha256/records; the catalog is damaged")
        name = info["file"]
        if "/" in name or "\\" in name or name.startswith("."):
            raise CatalogError(f"{path}: offer {_short(offer)} names file {_short(name)} outside the catalog")
        _check_offer_fields(path, str(offer), info)
    for key, kind in (("gaps", list), ("excluded", list), ("refreshes", dict)):
        if key in manifest and not isinstance(manifest[key], kind):
            raise CatalogError(f"{path}: `{key}` is not a JSON {'array' if kind is list else 'object'}; "
                               "the catalog is damaged")
    if any(not isinstance(g, dict) or not all(isinstance(g.get(k), str) for k in ("service", "offering"))
           for g in manifest.get("gaps", [])):
        raise CatalogError(f"{path}: a `gaps` entry lacks service/offering; the catalog is damaged")
    return dict(manifest)


def _check_offer_fields(path: Path, offer: str, info: dict[str, Any]) -> None:
    """The summary fields `catalog info` shows: dates ISO (or empty), lists of strings."""
    from datetime import date

    for key in ("published_min", "published_max"):
        value = info.get(key, "")
        try:
            if not isinstance(value, str) or (value and date.fromisoformat(value) is None):
                raise ValueError
        except ValueError:
            raise CatalogError(f"{path}: offer {_short(offer)} {key} {_short(value)} is not a YYYY-MM-DD date") \
                from None
    for key in ("services", "sources", "regions"):
        value = info.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CatalogError(f"{path}: offer {_short(offer)} {key} is not a list of names; the catalog is damaged")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


_PRICE_FIELDS = ("price_usd", "upfront_usd", "tier_start", "tier_end")


def validate_record(rec: PriceRecord, where: str) -> None:
    """A price (and upfront fee, tier bounds) must be a finite, non-negative decimal: a checksum only proves
    the file is the one the manifest describes, not that what it says is a price."""
    for name in _PRICE_FIELDS:
        value = getattr(rec, name)
        if value is None and name != "price_usd":
            continue
        if not isinstance(value, str):
            raise CatalogError(f"{where}: {name} {_short(value)} is not a decimal string")
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise CatalogError(f"{where}: {name} {_short(value)} is not a number") from None
        if not number.is_finite() or number < 0:
            raise CatalogError(f"{where}: {name} {_short(value)} is not a finite, non-negative price")


def read_offer_bytes(directory: Path, info: dict[str, Any]) -> bytes:
    """One offer file's bytes, verified against its checksum in the manifest."""
    path: Path = directory / info["file"]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError(f"{path} is missing from the catalog (listed in {MANIFEST})") from None
    except OSError as exc:
        raise CatalogError(f"{path}: cannot be read ({exc.strerror})") from None
    if _sha256(data) != info["sha256"]:
        raise CatalogError(
            f"{path} does not match its checksum in {MANIFEST}: the file was changed or truncated; "
            "restore it (git checkout pricing_data) or rebuild with `cost catalog build`"
        )
    return data


def parse_offer(directory: Path, info: dict[str, Any], data: bytes) -> list[PriceRecord]:
    """An offer file's records, each checked to be a price record with finite, non-negative prices."""
    path = directory / info["file"]
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise CatalogError(f"{path}: not UTF-8 text; the catalog is damaged") from None
    if len(lines) != info["records"]:
        raise CatalogError(f"{path}: {len(lines)} records, manifest says {info['records']}")
    return [_record(line, f"{path}:{n}") for n, line in enumerate(lines, 1)]


def read_offer(directory: Path, info: dict[str, Any]) -> list[PriceRecord]:
    return parse_offer(directory, info, read_offer_bytes(directory, info))


def read_records(directory: Path, manifest: dict[str, Any]) -> list[PriceRecord]:
    """Load every offer file, verifying its checksum and record count against the manifest.

    Reads under the shared catalog lock, so no writer swaps the directory mid-read. If a writer installed a new
    catalog between `read_manifest` and this call, `manifest` is updated in place to the installed one, so the
    caller's manifest and records always describe the same catalog."""
    with catalog_lock(directory, exclusive=False, notice=_note):
        current = read_manifest(directory)
        if current != manifest:
            manifest.clear()
            manifest.update(current)
        return _read_records(directory, manifest)


def _read_records(directory: Path, manifest: dict[str, Any]) -> list[PriceRecord]:
    records: list[PriceRecord] = []
    for info in manifest["offers"].values():
        records.extend(read_offer(directory, info))
    return records
    return records


def _record(line: str, where: str) -> PriceRecord:
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        raise CatalogError(f"{where}: not a JSON record; the catalog is damaged") from None
    if not isinstance(data, dict):
        raise CatalogError(f"{where}: not a JSON object; the catalog is damaged")
    try:
        rec = PriceRecord(**data)
    except TypeError:
        raise CatalogError(f"{where}: not a price record (unexpected or missing fields)") from None
    validate_record(rec, where)
    return rec
