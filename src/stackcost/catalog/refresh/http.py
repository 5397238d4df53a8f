"""Small HTTP client for the bulk price files: retries with backoff on 429/5xx (honouring Retry-After),
streamed downloads to disk with a byte count checked against Content-Length."""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stackcost.catalog.refresh.errors import RefreshError

RETRY_STATUS = {429, 500, 502, 503, 504}
CHUNK = 1 << 20


class Http:
    def __init__(self, attempts: int = 5, backoff_s: float = 0.5, timeout_s: float = 60) -> None:
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s

    def _open(self, url: str) -> Any:
        last = ""
        for attempt in range(self.attempts):
            try:
                return urllib.request.urlopen(url, timeout=self.timeout_s)
            except urllib.error.HTTPError as exc:
                if exc.code not in RETRY_STATUS:
                    raise RefreshError(f"{url}: HTTP {exc.code} {exc.reason}") from None
                last = f"HTTP {exc.code} {exc.reason}"
                wait = _retry_after(exc.headers.get("Retry-After")) if exc.headers else None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                reason = getattr(exc, "reason", exc)
                last = f"cannot connect ({reason})"
                wait = None
            if attempt + 1 < self.attempts:
                time.sleep(wait if wait is not None else self.backoff_s * 2 ** attempt)
        raise RefreshError(f"{url}: {last} after {self.attempts} attempts")

    def json(self, url: str) -> Any:
        with self._open(url) as resp:
            data = resp.read()
        try:
            return json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RefreshError(f"{url}: malformed JSON ({exc})") from None

    def download(self, url: str, dest: Path, on_bytes: Callable[[int, int | None], None] | None = None) -> Path:
        """Stream `url` into `dest`; a short read (truncated download) is an error, never a partial file."""
        with self._open(url) as resp, dest.open("wb") as fh:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            got = 0
            while True:
                try:
                    chunk = resp.read(CHUNK)
                except http.client.IncompleteRead as exc:
                    got += len(exc.partial)
                    raise RefreshError(f"{url}: download truncated after {got:,} bytes"
                                       + (f" of {total:,}" if total else "")) from None
                if not chunk:
                    break
                fh.write(chunk)
                got += len(chunk)
                if on_bytes:
                    on_bytes(got, total)
        if total is not None and got != total:
            raise RefreshError(f"{url}: download truncated: {got:,} of {total:,} bytes")
        return dest


def _retry_after(value: str | None) -> float | None:
    try:
        return min(float(value), 30.0) if value is not None else None
    except ValueError:
        return None
