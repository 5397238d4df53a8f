"""Small HTTP client for the bulk price files: retries with backoff on 429/5xx (honouring Retry-After), streamed
downloads to disk with a byte count checked against Content-Length.

Every way a server can misbehave ends in one RefreshError line naming the URL: a refused or stalled connection,
a garbage status line, a short body, an HTML error page (never echoed raw: only its cut <title>), JSON that is
malformed or too large. Waiting is bounded: each call has a socket timeout, and all attempts for one URL together
stop at `deadline_s` (about a minute by default) rather than 5 tries x 60 s of silence; `notice` hears about every
retry so a user sees why nothing is happening.
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from stackcost.catalog.refresh.errors import RefreshError

RETRY_STATUS = {429, 500, 502, 503, 504}
CHUNK = 1 << 20
MAX_JSON_BYTES = 256 * 1024 * 1024  # index and feed documents; offer files go through download()
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)

# Everything urllib/http.client raise for a connection that fails or an answer that is not HTTP.
_NET_ERRORS = (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException, OSError)


def _clean(text: str, limit: int = 80) -> str:
    """Server-provided text (a reason phrase, a title) made safe to print: one line, printable, capped."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        inner = exc.reason
        if isinstance(inner, TimeoutError) or "timed out" in str(inner):
            return "timed out"
        return _clean(f"cannot connect ({getattr(inner, 'strerror', None) or inner})")
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(exc, http.client.BadStatusLine):
        return "the server did not answer with HTTP (bad status line)"
    if isinstance(exc, http.client.IncompleteRead):
        return "the answer was cut short"
    if isinstance(exc, http.client.HTTPException):
        return _clean(f"bad HTTP answer ({type(exc).__name__})")
    if isinstance(exc, ConnectionError):
        return _clean(f"connection lost ({exc.strerror or type(exc).__name__})")
    if isinstance(exc, OSError):
        return _clean(f"network error ({exc.strerror or type(exc).__name__})")
    return type(exc).__name__


def html_summary(body: bytes) -> str:
    """What an HTML page is, for a message: its cut <title>, never the page itself."""
    m = _TITLE.search(body[:65536])
    title = _clean(m.group(1).decode("utf-8", errors="replace")) if m else ""
    return f"an HTML page ({title!r})" if title else "an HTML page"


def _looks_html(content_type: str, head: bytes) -> bool:
    start = head.lstrip()[:15].lower()
    return "html" in content_type.lower() or start.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


class Http:
    def __init__(self, attempts: int = 5, backoff_s: float = 0.5, timeout_s: float = 20, deadline_s: float = 60,
                 notice: Callable[[str], None] | None = None, max_json_bytes: int = MAX_JSON_BYTES,
                 min_rate_bps: float = 4096, rate_window_s: float = 30) -> None:
        self.attempts = max(1, attempts)
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s  # per socket operation: connect, and each read
        self.deadline_s = deadline_s  # all attempts for one URL until the headers; a JSON document's body too
        self.notice = notice
        self.max_json_bytes = max_json_bytes
        # A server that drips a byte now and then never trips the socket timeout: a download slower than this
        # over a whole window is given up.
        self.min_rate_bps = min_rate_bps
        self.rate_window_s = rate_window_s

    def _chunks(self, resp: Any, url: str, deadline: float | None) -> Any:
        """The body in pieces as they arrive (read1: one system call each), so a stall or a drip is noticed."""
        got = 0
        window_start, window_bytes = time.monotonic(), 0
        while True:
            try:
                chunk = resp.read1(CHUNK)
            except http.client.IncompleteRead as exc:
                raise RefreshError(f"{url}: the answer was cut short after {got + len(exc.partial):,} bytes") \
                    from None
            except _NET_ERRORS as exc:
                raise RefreshError(f"{url}: {_reason(exc)} while reading the answer (after {got:,} bytes)") \
                    from None
            if not chunk:
                return
            got += len(chunk)
            window_bytes += len(chunk)
            now = time.monotonic()
            if deadline is not None and now > deadline:
                raise RefreshError(f"{url}: the answer took longer than {self.deadline_s:.0f} s; gave up")
            if now - window_start >= self.rate_window_s:
                if window_bytes < self.min_rate_bps * (now - window_start):
                    raise RefreshError(f"{url}: too slow ({window_bytes:,} bytes in {now - window_start:.0f} s); "
                                       "gave up")
                window_start, window_bytes = now, 0
            yield chunk

    def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RefreshError(f"{_clean(url, 120)}: not an http(s) URL")

    def _open(self, url: str) -> Any:
        self._check_url(url)
        start = time.monotonic()
        last = ""
        for attempt in range(self.attempts):
            remaining = self.deadline_s - (time.monotonic() - start)
            if remaining <= 0:
                break
            wait: float | None
            try:
                return urllib.request.urlopen(url, timeout=min(self.timeout_s, max(remaining, 0.1)))
            except urllib.error.HTTPError as exc:
                reason = _clean(str(exc.reason))
                exc.close()
                if exc.code not in RETRY_STATUS:
                    raise RefreshError(f"{url}: HTTP {exc.code} {reason}") from None
                last = f"HTTP {exc.code} {reason}"
                wait = _retry_after(exc.headers.get("Retry-After")) if exc.headers else None
            except (ValueError, http.client.InvalidURL) as exc:  # "unknown url type", an invalid host or port
                raise RefreshError(f"{_clean(url, 120)}: not a usable URL ({_clean(str(exc))})") from None
            except http.client.RemoteDisconnected as exc:  # closed before answering: may be a restart, retry
                last = _reason(exc)
                wait = None
            except http.client.HTTPException as exc:
                # The server answered, but not in HTTP (a garbage status line): asking again will not help.
                raise RefreshError(f"{url}: {_reason(exc)}") from None
            except _NET_ERRORS as exc:
                last = _reason(exc)
                wait = None
            if attempt + 1 >= self.attempts:
                break
            delay = wait if wait is not None else self.backoff_s * 2 ** attempt
            left = self.deadline_s - (time.monotonic() - start)
            if delay >= left:
                raise RefreshError(f"{url}: {last}; gave up after {attempt + 1} attempts in "
                                   f"{time.monotonic() - start:.0f} s (the server asks to wait {delay:.0f} s more)"
                                   if wait is not None else
                                   f"{url}: {last}; gave up after {attempt + 1} attempts in "
                                   f"{time.monotonic() - start:.0f} s")
            if self.notice:
                self.notice(f"{url}: {last}; retrying in {delay:.1f} s (attempt {attempt + 2} of {self.attempts})")
            time.sleep(delay)
        raise RefreshError(f"{url}: {last or 'no answer'} after {attempt + 1} attempts")

    def json(self, url: str) -> Any:
        deadline = time.monotonic() + self.deadline_s
        with self._open(url) as resp:
            content_type = resp.headers.get("Content-Type", "") or ""
            length = resp.headers.get("Content-Length")
            parts: list[bytes] = []
            size = 0
            for chunk in self._chunks(resp, url, deadline):
                parts.append(chunk)
                size += len(chunk)
                if size > self.max_json_bytes:
                    break
            data = b"".join(parts)
        if len(data) > self.max_json_bytes:
            raise RefreshError(f"{url}: answer larger than {self.max_json_bytes:,} bytes; not a price document")
        if length and length.isdigit() and len(data) < int(length):
            raise RefreshError(f"{url}: the answer was cut short ({len(data):,} of {int(length):,} bytes)")
        if _looks_html(content_type, data[:512]):
            raise RefreshError(f"{url}: answered with {html_summary(data)}, not JSON")
        try:
            return json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            where = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else " (not UTF-8)"
            raise RefreshError(f"{url}: malformed JSON{where}") from None
        except RecursionError:
            raise RefreshError(f"{url}: JSON nested too deeply") from None

    def download(self, url: str, dest: Path, on_bytes: Callable[[int, int | None], None] | None = None) -> Path:
        """Stream `url` into `dest`; a short read (truncated download) is an error, never a partial file."""
        with self._open(url) as resp, dest.open("wb") as fh:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            content_type = resp.headers.get("Content-Type", "") or ""
            got = 0
            for chunk in self._chunks(resp, url, None):
                if got == 0 and _looks_html(content_type, chunk[:512]):
                    raise RefreshError(f"{url}: answered with {html_summary(chunk)}, not a price file")
                fh.write(chunk)
                got += len(chunk)
                if on_bytes:
                    on_bytes(got, total)
        if total is not None and got != total:
            raise RefreshError(f"{url}: download truncated: {got:,} of {total:,} bytes")
        return dest


def _retry_after(value: str | None) -> float | None:
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    if seconds is None or seconds != seconds or seconds < 0:  # NaN or negative: ignore
        return None
    return min(seconds, 30.0)
