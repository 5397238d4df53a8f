"""The on-disk catalog: one sorted JSON Lines file per offer, and a manifest with checksums.

Layout of `pricing_data/<region>/`:
    manifest.json            per offer: file, record count, sha256, publication dates, sources; gaps; exclusions
    <OfferCode>.jsonl        one PriceRecord per line, sorted, so a refresh diffs well in git

Writing is atomic: everything goes to a sibling temp directory that is renamed into place, so a crash at any
point leaves either the old catalog or the new one, never a mixture.

One writer at a time: a writer holds an exclusive lock on `.<region>.lock` beside the catalog (its pid written in
it) from re-reading the catalog to the swap, so two refreshes of different offers both land. Readers take the same
lock shared while they read the manifest and open the offer files, so they never see a half-swapped directory;
they read an offer file later, through the descriptor opened then (see OfferFile). flock(2) locks die with their
process: a killed refresh never leaves a stale lock behind.
"""

from __future__ import annotations

import os
import time

from stackcost.catalog.records import PriceRecord
from stackcost.errors import StackcostError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (slow here); mypy takes it as True

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path
    from types import TracebackType
    from typing import Any

    StrPath = str | os.PathLike[str]

# What a command imports to read the catalog is kept to the standard library's cheapest modules: on a slow disk
# every module costs milliseconds. Writing (json, hashlib, tempfile, shutil, pathlib) imports what it needs where
# it needs it.

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


def _sibling(target: StrPath, suffix: str) -> str:
    """`.<name><suffix>` beside `target` (what Path.with_name gave, as a string)."""
    head, name = os.path.split(os.fspath(target))
    return os.path.join(head, f".{name}{suffix}")


def _held_key(target: StrPath) -> tuple[str, int]:
    import _thread

    path = _lock_path(target)
    # Path.absolute(): the working directory joined, nothing resolved.
    return (path if os.path.isabs(path) else os.path.join(os.getcwd(), path), _thread.get_ident())


def _holding(target: StrPath) -> str | None:
    """"exclusive" or "shared" if this thread holds the catalog lock of `target`, else None."""
    held = _HELD.get(_held_key(target))
    if not held:
        return None
    return "exclusive" if held[0] else "shared"


def _lock_path(target: StrPath) -> str:
    return _sibling(target, ".lock")


def _holder(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            pid = fh.read().strip()[:12]
    except OSError:
        return "another process"
    return f"process {pid}" if pid.isdigit() else "another process"


class _CatalogLock:
    """The context manager `catalog_lock` returns (a class: contextlib is one more import for every reader)."""

    def __init__(self, target: StrPath, exclusive: bool, wait_s: float | None,
                 notice: Callable[[str], None] | None) -> None:
        self.target = target
        self.exclusive = exclusive
        self.wait_s = LOCK_WAIT_S if wait_s is None else wait_s
        self.notice = notice
        self._fd: int | None = None
        self._key: tuple[str, int] | None = None
        self._nested: list[Any] | None = None

    def __enter__(self) -> None:
        exclusive, target = self.exclusive, self.target
        path = _lock_path(target)
        # Per thread: flock already lets two descriptors share a lock, and a writer thread must still wait for
        # another thread's readers; only a thread re-entering its own lock must not wait for itself.
        key = _held_key(target)
        held = _HELD.get(key)
        if held:
            # This process already holds it (a writer re-reading the catalog): flock is per open file, so taking
            # it again through a second descriptor would wait for ourselves.
            if exclusive and not held[0]:
                raise RuntimeError(f"{path}: exclusive lock asked for while holding it shared")
            held[1] += 1
            self._nested = held
            return
        try:
            if exclusive:
                from pathlib import Path

                Path(target).parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            else:
                fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            if exclusive:
                raise CatalogError(f"{os.path.dirname(os.fspath(target)) or '.'}: cannot create the catalog lock "
                                   "there") from None
            return
        except OSError as exc:
            if exclusive:
                raise CatalogError(f"{path}: cannot take the catalog lock ({exc.strerror})") from None
            return  # a read-only install: nobody can write it in place either
        try:
            import fcntl

            mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            deadline = time.monotonic() + self.wait_s
            told = False
            delay = 0.02
            while True:
                try:
                    fcntl.flock(fd, mode | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise CatalogBusy(f"the price catalog {os.fspath(target)} is being written by "
                                          f"{_holder(path)} (lock {path}); gave up after {self.wait_s:.0f} s, "
                                          "try again when it has finished") from None
                    if not told and self.notice is not None:
                        self.notice(f"waiting for {_holder(path)} to finish writing the price catalog (lock {path})")
                        told = True
                    time.sleep(delay)
                    delay = min(delay * 2, 0.5)
            if exclusive:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        _HELD[key] = [exclusive, 1]
        self._fd, self._key = fd, key

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._nested is not None:
            self._nested[1] -= 1
            self._nested = None
            return
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if self._key is not None:
                _HELD.pop(self._key, None)
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def catalog_lock(target: StrPath, *, exclusive: bool = True, wait_s: float | None = None,
                 notice: Callable[[str], None] | None = None) -> _CatalogLock:
    """Hold the catalog lock of `target` (exclusive for a writer, shared for a reader). Waits up to `wait_s`,
    telling `notice` once who holds it; then refuses with one CatalogBusy line. A reader of a catalog that has
    no lock file (never written in place, or on a read-only install) does not lock at all."""
    return _CatalogLock(target, exclusive, wait_s, notice)


def _sha256(data: bytes) -> str:
    import hashlib

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
    import json
    import shutil
    import tempfile
    from pathlib import Path

    target = Path(target)
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


def _old(target: StrPath) -> str:
    return _sibling(target, ".old")


def recover(target: StrPath) -> None:
    """Finish or undo a swap that was killed between its two renames: put the old catalog back. Writers call it
    under the catalog lock; a reader calls it only after taking the lock too (see read_manifest)."""
    old = _old(target)
    if not os.path.exists(target) and os.path.isfile(os.path.join(old, MANIFEST)):
        try:  # noqa: SIM105 - contextlib is one more import for every reader
            os.rename(old, target)
        except FileNotFoundError:  # another process put it back first
            pass


def _discard(path: StrPath) -> None:
    """Remove a directory without racing another remover: rename it to a name only we know, then delete."""
    import shutil

    path = os.fspath(path)
    if not os.path.exists(path):
        return
    head, name = os.path.split(path)
    doomed = os.path.join(head, f"{name}.{os.getpid()}.{time.monotonic_ns()}.rm")
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
    import shutil
    from pathlib import Path

    old = Path(_old(target))
    for p in target.parent.glob(f".{target.name}.*"):
        if p.is_dir() and not p.is_symlink() and p != old:
            shutil.rmtree(p, ignore_errors=True)


def swap_in(new_dir: StrPath, target: StrPath) -> None:
    """Replace `target` by `new_dir` with renames only; the old directory is removed last. Callers hold the
    catalog lock (write_catalog does)."""
    recover(target)
    old = _old(target)
    _discard(old)
    if os.path.exists(target):
        os.rename(target, old)
    os.rename(new_dir, target)
    _discard(old)


class _Scan:
    """The settings json.loads gives CPython's C scanner (json.decoder.JSONDecoder's defaults)."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__


def _json_scanner() -> Callable[[str, int], tuple[Any, int]] | None:
    try:
        from _json import make_scanner
    except ImportError:  # not CPython: json.loads does it all
        return None
    # typeshed types the context as a JSONDecoder; the scanner only reads the six settings _Scan has.
    scan: Callable[[str, int], tuple[Any, int]] = make_scanner(_Scan())  # type: ignore[arg-type]
    return scan


_WS = " \t\n\r"  # JSON's whitespace


def _loads(text: str, scan: Callable[[str, int], tuple[Any, int]] | None) -> Any:
    """json.loads(text), without importing json: `import json` imports re, and the two take longer here than
    reading the catalog. Well-formed JSON goes through CPython's C scanner, the parser json.loads itself runs;
    anything else (a BOM, an error, trailing data) goes to json.loads, so every result and every error is
    json.loads's own."""
    if scan is not None and text[:1] != "\ufeff":
        n = len(text)
        i = 0
        while i < n and text[i] in _WS:
            i += 1
        try:
            obj, end = scan(text, i)
        except Exception:  # json.loads below says what is wrong, in its own words
            pass
        else:
            while end < n and text[end] in _WS:
                end += 1
            if end == n:
                return obj
    import json

    return json.loads(text)


def _json_error(exc: ValueError) -> bool:
    """Whether json.loads refused the text (json.JSONDecodeError), named without importing json first."""
    import json

    return isinstance(exc, json.JSONDecodeError)


def _loads_bytes(data: bytes) -> Any:
    """json.loads(data) for bytes, as _loads: UTF-8 without a BOM (what json.detect_encoding calls utf-8) goes
    the fast way, any other encoding to json.loads."""
    if len(data) >= 4 and data[0] and data[1] and not data.startswith(b"\xef\xbb\xbf"):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return _loads(text, _json_scanner())
    import json

    return json.loads(data)


def read_manifest(directory: StrPath) -> dict[str, Any]:
    path = os.path.join(directory, MANIFEST)
    if not os.path.isfile(path) and os.path.isdir(_old(directory)):
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
    if not os.path.isfile(path):
        raise CatalogError(f"no price catalog at {os.fspath(directory)} (missing {MANIFEST}); run "
                           "`cost catalog build`")
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        manifest: Any = _loads_bytes(raw[:MAX_RECORD_BYTES])
    except ValueError as exc:
        if not _json_error(exc) and not isinstance(exc, UnicodeDecodeError):
            raise
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


def _iso_date(value: str) -> bool:
    """What date.fromisoformat accepts of a catalog date, without importing datetime: YYYY-MM-DD, a real day."""
    if len(value) != 10 or value[4] != "-" or value[7] != "-" or not (value[:4] + value[5:7] + value[8:]).isascii() \
            or not (value[:4] + value[5:7] + value[8:]).isdigit():
        return False
    year, month, day = int(value[:4]), int(value[5:7]), int(value[8:])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    return year >= 1 and 1 <= month <= 12 and 1 <= day <= days[month - 1]


def _check_offer_fields(path: str, offer: str, info: dict[str, Any]) -> None:
    """The summary fields `catalog info` shows: dates ISO (or empty), lists of strings."""
    for key in ("published_min", "published_max"):
        value = info.get(key, "")
        if not isinstance(value, str) or (value and not _iso_date(value) and not _fromisoformat_ok(value)):
            raise CatalogError(f"{path}: offer {_short(offer)} {key} {_short(value)} is not a YYYY-MM-DD date")
    for key in ("services", "sources", "regions"):
        value = info.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CatalogError(f"{path}: offer {_short(offer)} {key} is not a list of names; the catalog is damaged")


def _fromisoformat_ok(value: str) -> bool:
    """The other forms date.fromisoformat takes (20240101, 2024-W01-1, ...): asked only when the plain form
    fails, so only a damaged or unusual manifest imports datetime."""
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


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
        if isinstance(value, str) and value.isascii() and value.replace(".", "", 1).isdigit():
            continue  # digits with at most one point: a finite, non-negative decimal (the shipped form)
        from decimal import Decimal, InvalidOperation

        if not isinstance(value, str):
            raise CatalogError(f"{where}: {name} {_short(value)} is not a decimal string")
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise CatalogError(f"{where}: {name} {_short(value)} is not a number") from None
        if not number.is_finite() or number < 0:
            raise CatalogError(f"{where}: {name} {_short(value)} is not a finite, non-negative price")


class OfferFile:
    """One offer file of a loaded catalog: opened when the catalog is loaded, under the same shared lock as its
    manifest, and read and checked against the manifest's checksum only when a lookup first needs it.

    The open descriptor is what keeps manifest and file paired: a refresh installs a new catalog by renaming
    directories, so a file opened before the swap still reads the old contents the old manifest describes
    (even once the old directory is deleted). A file changed in place is refused on first use, as a tampered
    file is at load. A command opens every offer but reads, hashes and parses only those it asks for."""

    __slots__ = ("_buckets", "_error", "_fd", "info", "path")

    def __init__(self, directory: StrPath, info: dict[str, Any]) -> None:
        self.info = info
        self.path = os.path.join(directory, info["file"])
        self._error = ""
        self._fd: int | None = None
        self._buckets: dict[str, list[tuple[int, str]]] | None = None  # verified lines by term, not parsed yet
        try:
            self._fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            raise CatalogError(f"{self.path} is missing from the catalog (listed in {MANIFEST})") from None
        except OSError as exc:
            raise CatalogError(f"{self.path}: cannot be read ({exc.strerror})") from None

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __del__(self) -> None:
        try:  # noqa: SIM105 - contextlib is one more import for every reader
            self.close()
        except Exception:  # at interpreter exit there is nobody to tell
            pass

    def read(self) -> bytes:
        """The file's bytes, verified against its checksum (once: the descriptor is closed after)."""
        if self._fd is None:
            raise CatalogError(self._error or f"{self.path}: already read")
        try:
            chunks = []
            offset = 0
            while chunk := os.pread(self._fd, 1 << 20, offset):
                chunks.append(chunk)
                offset += len(chunk)
            data = b"".join(chunks)
        except OSError as exc:
            self._error = f"{self.path}: cannot be read ({exc.strerror})"
        else:
            if _sha256(data) != self.info["sha256"]:
                self._error = (f"{self.path} does not match its checksum in {MANIFEST}: the file was changed or "
                               "truncated; restore it (git checkout pricing_data) or rebuild with "
                               "`cost catalog build`")
        finally:
            self.close()
        if self._error:
            raise CatalogError(self._error)
        return data

    def take(self, term: str | None) -> list[tuple[int, PriceRecord]]:
        """The records of `term` (every term when None) not taken before, with their line numbers: the file is
        read and verified the first time, and each term's lines are parsed when first asked for (an estimate
        needs the on-demand rates, not RDS's hundreds of reserved ones). Nothing counts as taken unless every
        line asked for parsed; a CatalogError is raised again on every later call."""
        if self._error:
            raise CatalogError(self._error)
        try:
            if self._buckets is None:
                self._buckets = split_by_term(self.path, self.info, self.read())
            buckets = self._buckets
            names = list(buckets) if term is None else [t for t in dict.fromkeys((term, "")) if t in buckets]
            scan = _json_scanner()
            got: list[tuple[int, PriceRecord]] = []
            for name in names:
                for n, line in buckets[name]:
                    rec = _record(line, f"{self.path}:{n}", scan)
                    if name and rec.term != name:  # only a line not in the catalog's own form could do this
                        raise CatalogError(f"{self.path}:{n}: not in the catalog's canonical form; rebuild it with "
                                           "`cost catalog build`")
                    got.append((n, rec))
        except CatalogError as exc:
            self._error = str(exc)
            raise
        for name in names:
            del buckets[name]
        return got

    @property
    def done(self) -> bool:
        return self._buckets is not None and not self._buckets


_TERM_KEY = ',"term":"'


def split_by_term(path: str, info: dict[str, Any], data: bytes) -> dict[str, list[tuple[int, str]]]:
    """An offer file's lines (numbered from 1) grouped by their record's term, read off the text without
    parsing it. The catalog writes each record with sorted keys: `attributes` (the one nested object) comes
    first, so the last `,"term":"` of a line is the record's own. A line in any other form goes to the ""
    group, which is parsed with every term."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CatalogError(f"{path}: not UTF-8 text; the catalog is damaged") from None
    # The writer ends each record with "\n"; str.splitlines would also split inside a description holding
    # U+2028, U+2029 or U+0085, which to_json writes as they are.
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if len(lines) != info["records"]:
        raise CatalogError(f"{path}: {len(lines)} records, manifest says {info['records']}")
    out: dict[str, list[tuple[int, str]]] = {}
    for n, line in enumerate(lines, 1):
        term = ""
        if line.startswith('{"attributes":{'):
            at = line.rfind(_TERM_KEY)
            if at > 0:
                end = line.find('"', at + len(_TERM_KEY))
                term = line[at + len(_TERM_KEY):end] if end > 0 else ""
                if "\\" in term:  # an escaped name: leave it to the parser
                    term = ""
        out.setdefault(term, []).append((n, line))
    return out


def _record(line: str, where: str, scan: Callable[[str, int], tuple[Any, int]] | None) -> PriceRecord:
    data: Any = None
    if scan is not None:
        # The catalog's own lines are one object each, nothing around it: scanned as they are. Anything else
        # (whitespace, a BOM, an error) goes through _loads, so every result and every message is json.loads's.
        try:
            data, end = scan(line, 0)
        except Exception:  # _loads below says what is wrong
            data = None
        else:
            if end != len(line):
                data = None
    if data is None:
        try:
            data = _loads(line, scan)
        except ValueError as exc:
            if not _json_error(exc):
                raise
            raise CatalogError(f"{where}: not a JSON record; the catalog is damaged") from None
    if not isinstance(data, dict):
        raise CatalogError(f"{where}: not a JSON object; the catalog is damaged")
    try:
        rec = PriceRecord.from_dict(data)
    except TypeError:
        raise CatalogError(f"{where}: not a price record (unexpected or missing fields)") from None
    validate_record(rec, where)
    return rec
