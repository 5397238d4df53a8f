"""Billing exports in S3: read the export's manifest for the month, download only that month's data files into a
local cache keyed by ETag (a re-run downloads nothing; a re-delivered file is fetched again), then DuckDB reads
them like any local file.

Layouts: Data Exports (CUR 2.0, FOCUS) write `.../metadata/BILLING_PERIOD=YYYY-MM/<name>-Manifest.json` listing
`dataFiles` (s3:// URLs); legacy CUR writes `.../YYYYMM01-YYYYMM01/<name>-Manifest.json` listing `reportKeys`."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from stackcost.report.actuals import ActualsError


def split_url(url: str) -> tuple[str, str]:
    if not url.startswith("s3://") or len(url) <= 5:
        raise ActualsError(f"{url}: expected s3://BUCKET/PREFIX/")
    bucket, _, prefix = url[5:].partition("/")
    if not bucket:
        raise ActualsError(f"{url}: no bucket")
    return bucket, prefix


def _client(client: Any, profile: str | None) -> Any:
    if client is not None and hasattr(client, "list_objects_v2"):
        return client
    import boto3  # the standard credential chain (env, profile, SSO, instance role)

    return boto3.Session(profile_name=profile).client("s3")


def _listing(s3: Any, bucket: str, prefix: str) -> dict[str, str]:
    """key -> ETag of every object under the prefix (paginated)."""
    out: dict[str, str] = {}
    token: str | None = None
    while True:
        kw: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
        if token:
            kw["ContinuationToken"] = token
        page = s3.list_objects_v2(**kw)
        for obj in page.get("Contents", []):
            out[obj["Key"]] = obj.get("ETag", "").strip('"')
        if not page.get("IsTruncated"):
            return out
        token = page.get("NextContinuationToken")


def _manifest_keys(s3: Any, bucket: str, listing: dict[str, str], start: date, end: date) -> list[str] | None:
    """The data keys the month's manifest names, or None when the prefix has no manifest for the month."""
    period_new = f"BILLING_PERIOD={start:%Y-%m}"
    period_old = f"/{start:%Y%m%d}-{end:%Y%m%d}/"
    manifests = [k for k in listing if k.endswith("Manifest.json") and (period_new in k or period_old in k)]
    if not manifests:
        return None
    # Legacy CUR also keeps one manifest per assembly id one level down; the period's top manifest is current.
    key = min(manifests, key=lambda k: (k.count("/"), k))
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ActualsError(f"s3://{bucket}/{key}: not a JSON manifest") from None
    keys: list[str] = []
    for url in doc.get("dataFiles", []) if isinstance(doc, dict) else []:
        b, k = split_url(str(url))
        if b != bucket:
            raise ActualsError(f"s3://{bucket}/{key}: names a file in another bucket ({b})")
        keys.append(k)
    if isinstance(doc, dict):
        keys += [str(k) for k in doc.get("reportKeys", [])]
    if not keys and isinstance(doc, dict) and not ({"dataFiles", "reportKeys"} & set(doc)):
        raise ActualsError(f"s3://{bucket}/{key}: a manifest without dataFiles or reportKeys")
    return keys


def fetch(url: str, start: date, end: date, cache: Path, *, client: Any = None,
          profile: str | None = None) -> list[Path]:
    """Local copies of the month's export files under `url` ([] when the export has none for the month)."""
    bucket, prefix = split_url(url)
    s3 = _client(client, profile)
    try:
        listing = _listing(s3, bucket, prefix)
        keys = _manifest_keys(s3, bucket, listing, start, end)
        if keys is None:  # no manifest: the data files whose path names the month
            marks = (f"BILLING_PERIOD={start:%Y-%m}", f"/{start:%Y%m%d}-{end:%Y%m%d}/", f"year={start.year}/month="
                     f"{start.month}/")
            keys = [k for k in listing if any(m in k for m in marks) and not k.endswith(".json")]
        out = []
        for key in sorted(keys):
            etag = listing.get(key) or s3.head_object(Bucket=bucket, Key=key).get("ETag", "").strip('"')
            out.append(_download(s3, bucket, key, etag, cache))
        return out
    except ActualsError:
        raise
    except Exception as exc:  # botocore errors, no credentials, network: one line for the user
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ActualsError(f"{url}: {first}") from None


def _download(s3: Any, bucket: str, key: str, etag: str, cache: Path) -> Path:
    where = cache / hashlib.sha256(f"{bucket}/{key}".encode()).hexdigest()[:16] / (etag or "no-etag")
    path = where / Path(key).name
    if path.is_file():
        return path
    where.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=where, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as fh:
            s3.download_fileobj(bucket, key, fh)
        os.replace(tmp, path)  # never a half-written file under the cached name
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
