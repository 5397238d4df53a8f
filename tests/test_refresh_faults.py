"""Refresh under faults: misbehaving servers on 127.0.0.1 (stall, garbage status line, short body, HTML error
pages, 429/503 storms, refused connections) each end in one RefreshError line within a bounded time; several
`cost catalog refresh` processes at once all land (one writer at a time, each merging into the catalog as it is
when it gets the lock) and readers never see a half-written catalog."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from stackcost.catalog import Catalog, PriceRecord, store
from stackcost.catalog.refresh.errors import RefreshError
from stackcost.catalog.refresh.http import Http
from stackcost.catalog.refresh.run import refresh
from tests.bounded import time_limit
from tests.mirror import Mirror
from tests.pricelist_fixtures import REGION, seoul_records

ROOT = Path(__file__).parent.parent
HTML = (b"<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>Sorry"
        b"</h1><script>alert(1)</script></body></html>")


@pytest.fixture(autouse=True)
def _bounded() -> Iterator[None]:
    with time_limit(90):
        yield


# -- a raw TCP server whose every connection gets `behave(conn)` ---------------------------------------------

class RawServer:
    def __init__(self, behave: Callable[[socket.socket, int], None]) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.behave = behave
        self.hits = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/index.json"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            threading.Thread(target=self._one, args=(conn, self.hits), daemon=True).start()

    def _one(self, conn: socket.socket, n: int) -> None:
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)
                self.behave(conn, n)
            except OSError:
                pass

    def __enter__(self) -> RawServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(2)
        self.sock.close()


def _answer(status: str, body: bytes, ctype: str = "application/json", extra: str = "",
            length: int | None = None) -> bytes:
    head = (f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body) if length is None else length}"
            f"\r\n{extra}Connection: close\r\n\r\n")
    return head.encode() + body


def stall(conn: socket.socket, n: int) -> None:
    time.sleep(4)  # longer than the client's timeout; the server thread then closes


def _fast(**kw: Any) -> Http:
    notes: list[str] = []
    opts: dict[str, Any] = {"attempts": 3, "backoff_s": 0.05, "timeout_s": 0.5, "deadline_s": 3, "notice": notes.append}
    opts.update(kw)
    http = Http(**opts)
    http.notes = notes  # type: ignore[attr-defined]
    return http


def _fails(http: Http, url: str, match: str, within_s: float) -> str:
    start = time.monotonic()
    with pytest.raises(RefreshError) as info:
        http.json(url)
    took = time.monotonic() - start
    msg = str(info.value)
    assert match in msg, msg
    assert took < within_s, f"{took:.1f} s"
    assert "\n" not in msg and "<" not in msg and len(msg) < 300, msg
    return msg


def test_a_stalled_server_is_given_up_on_within_the_deadline() -> None:
    with RawServer(stall) as s:
        http = _fast()
        _fails(http, s.url, "timed out", within_s=4.5)
        assert s.hits >= 2  # retried within the deadline
        assert any("retrying in" in n for n in http.notes)  # type: ignore[attr-defined]


def test_a_stall_after_the_headers_is_one_line() -> None:
    def headers_then_stall(conn: socket.socket, n: int) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        time.sleep(3)

    with RawServer(headers_then_stall) as s:
        _fails(_fast(), s.url, "timed out while reading", within_s=3)


def _drip(conn: socket.socket, n: int) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
    for _ in range(60):  # a byte every 0.1 s: never long enough for the socket timeout to fire
        time.sleep(0.1)
        conn.sendall(b" ")


def test_a_dripping_json_answer_is_given_up_at_the_deadline() -> None:
    with RawServer(_drip) as s:
        _fails(_fast(deadline_s=1.5), s.url, "took longer than", within_s=3)


def test_a_dripping_download_is_given_up_as_too_slow(tmp_path: Path) -> None:
    with RawServer(_drip) as s, pytest.raises(RefreshError, match="too slow"):
        _fast(min_rate_bps=1000, rate_window_s=1).download(s.url, tmp_path / "offer.json")


def test_a_garbage_status_line_is_not_retried() -> None:
    with RawServer(lambda c, n: c.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")) as s:
        _fails(_fast(), s.url, "bad status line", within_s=2)
        assert s.hits == 1


def test_a_connection_closed_without_an_answer_is_retried_then_one_line() -> None:
    with RawServer(lambda c, n: None) as s:
        http = _fast()
        _fails(http, s.url, "after 3 attempts", within_s=3)
        assert s.hits == 3


def test_a_short_body_is_one_line() -> None:
    with RawServer(lambda c, n: c.sendall(_answer("200 OK", b'{"offers": {', length=4096))) as s:
        _fails(_fast(), s.url, "cut short", within_s=2)


def test_a_truncated_download_leaves_no_file(tmp_path: Path) -> None:
    with RawServer(lambda c, n: c.sendall(_answer("200 OK", b"x" * 1000, length=5000))) as s, \
            pytest.raises(RefreshError, match="truncated"):
        _fast().download(s.url, tmp_path / "offer.json")


def test_a_503_storm_ends_after_the_attempts_with_notes() -> None:
    with RawServer(lambda c, n: c.sendall(_answer("503 Service Unavailable", HTML, "text/html"))) as s:
        http = _fast(attempts=4)
        msg = _fails(http, s.url, "HTTP 503 Service Unavailable after 4 attempts", within_s=3)
        assert s.hits == 4
        assert "Sorry" not in msg and "script" not in msg  # the page itself is never pasted
        assert len(http.notes) == 3  # type: ignore[attr-defined]


def test_429_then_success_is_retried() -> None:
    body = b'{"offers": {}}'

    def storm(conn: socket.socket, n: int) -> None:
        if n <= 3:
            conn.sendall(_answer("429 Too Many Requests", b"", extra="Retry-After: 0\r\n"))
        else:
            conn.sendall(_answer("200 OK", body))

    with RawServer(storm) as s:
        assert _fast(attempts=5).json(s.url) == {"offers": {}}
        assert s.hits == 4


def test_a_retry_after_beyond_the_deadline_gives_up_at_once() -> None:
    with RawServer(lambda c, n: c.sendall(_answer("429 Too Many Requests", b"", extra="Retry-After: 3600\r\n"))) as s:
        _fails(_fast(attempts=5, deadline_s=10), s.url, "asks to wait", within_s=2)
        assert s.hits == 1


def test_an_html_error_page_with_200_is_named_by_its_title_only() -> None:
    with RawServer(lambda c, n: c.sendall(_answer("200 OK", HTML, "text/html; charset=utf-8"))) as s:
        msg = _fails(_fast(), s.url, "HTML page ('503 Service Temporarily Unavailable')", within_s=2)
        assert "script" not in msg


def test_an_html_page_served_as_json_is_still_recognised() -> None:
    with RawServer(lambda c, n: c.sendall(_answer("200 OK", HTML, "application/json"))) as s:
        _fails(_fast(), s.url, "HTML page", within_s=2)


def test_a_refused_connection_is_one_line() -> None:
    with socket.socket() as probe:  # a port the OS gave us and nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _fails(_fast(), f"http://127.0.0.1:{port}/index.json", "cannot connect", within_s=3)


@pytest.mark.parametrize("url", ["ftp://example.com/x.json", "pricing.us-east-1.amazonaws.com/x", "http:///x",
                                 "file:///etc/passwd"])
def test_unusable_urls_are_one_line(url: str) -> None:
    _fails(_fast(), url, "not an http(s) URL", within_s=1)


def test_a_reason_phrase_with_control_characters_is_cleaned() -> None:
    with RawServer(lambda c, n: c.sendall(b"HTTP/1.1 404 \x1b[31mNot\x07 Found" + b"!" * 500 + b"\r\n"
                                          b"Content-Length: 0\r\nConnection: close\r\n\r\n")) as s:
        msg = _fails(_fast(), s.url, "HTTP 404", within_s=2)
        assert msg.isprintable() and "!" * 100 not in msg


# -- refresh: parse-time and library guards -------------------------------------------------------------------

def _digest(root: Path) -> dict[str, str]:
    d = root / REGION
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.iterdir())}


@pytest.mark.parametrize("max_loss", [float("nan"), float("inf"), -0.1, 1.5])
def test_max_loss_outside_0_1_is_refused_before_fetching(catalog_copy: Path, max_loss: float) -> None:
    before = _digest(catalog_copy)
    with pytest.raises(RefreshError, match="max_loss"):
        refresh("bulk", endpoint="http://127.0.0.1:9", services=["AmazonECS"], root=catalog_copy, max_loss=max_loss)
    assert _digest(catalog_copy) == before


# -- the catalog lock -----------------------------------------------------------------------------------------

HOLD = """
import sys, time
from pathlib import Path
from stackcost.catalog.store import catalog_lock
with catalog_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold(target: Path, seconds: float) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(target), str(seconds)], stdout=subprocess.PIPE, text=True,
                         env=env, cwd=ROOT)
    assert p.stdout is not None and p.stdout.readline().strip() == "held"
    return p


@pytest.fixture(scope="module")
def records() -> list[PriceRecord]:
    return seoul_records()


def test_a_held_lock_is_waited_for_with_a_message(catalog_copy: Path, records: list[PriceRecord],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "LOCK_WAIT_S", 30.0)
    target = catalog_copy / REGION
    holder = _hold(target, 5)
    notes: list[str] = []
    try:
        with Mirror(records, overrides={"DS579H2QDYXPJDKE.JRTCKXETXF.6YS6EN2CT7": "0.05"}) as m:
            refresh("bulk", endpoint=m.url, services=["AmazonECS"], root=catalog_copy, notice=notes.append,
                    http=Http(attempts=2, backoff_s=0.01))
    finally:
        holder.wait(10)
    assert any(f"waiting for process {holder.pid}" in n for n in notes), notes
    price = Catalog.load(REGION, catalog_copy).price("AmazonECS", usage_type="APN2-Fargate-vCPU-Hours:perCPU")
    assert price.price_usd == "0.05"


def test_a_lock_held_too_long_is_one_line_and_nothing_is_written(catalog_copy: Path, records: list[PriceRecord],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "LOCK_WAIT_S", 0.5)
    before = _digest(catalog_copy)
    holder = _hold(catalog_copy / REGION, 5)
    try:
        with Mirror(records) as m, pytest.raises(store.CatalogBusy, match=f"process {holder.pid}"):
            refresh("bulk", endpoint=m.url, services=["AmazonECS"], root=catalog_copy,
                    http=Http(attempts=2, backoff_s=0.01))
    finally:
        holder.kill()
        holder.wait(10)
    assert _digest(catalog_copy) == before


def test_a_lock_left_by_a_killed_process_does_not_block(catalog_copy: Path, records: list[PriceRecord]) -> None:
    holder = _hold(catalog_copy / REGION, 60)
    holder.kill()
    holder.wait(10)
    assert (catalog_copy / f".{REGION}.lock").exists()  # the file stays; the lock died with its process
    with Mirror(records) as m:
        result = refresh("bulk", endpoint=m.url, services=["AmazonECS"], root=catalog_copy,
                         http=Http(attempts=2, backoff_s=0.01))
    assert result.installed


def test_a_stale_old_directory_is_cleaned_up(catalog_copy: Path, records: list[PriceRecord]) -> None:
    import shutil

    old = catalog_copy / f".{REGION}.old"
    shutil.copytree(catalog_copy / REGION, old)  # what a swap killed after its first rename... then put back
    with Mirror(records) as m:
        refresh("bulk", endpoint=m.url, services=["AmazonECS"], root=catalog_copy,
                http=Http(attempts=2, backoff_s=0.01))
    assert not old.exists()
    assert not [p for p in catalog_copy.iterdir() if p.name.endswith(".rm")]


def test_a_swap_killed_between_its_renames_is_undone_by_the_next_refresh(catalog_copy: Path,
                                                                        records: list[PriceRecord]) -> None:
    os.rename(catalog_copy / REGION, catalog_copy / f".{REGION}.old")  # the state after the first rename only
    with Mirror(records) as m:
        result = refresh("bulk", endpoint=m.url, services=["AmazonECS"], root=catalog_copy,
                         http=Http(attempts=2, backoff_s=0.01))
    assert result.installed
    assert _hidden(catalog_copy) == [] and (catalog_copy / f".{REGION}.lock").is_file()
    Catalog.load(REGION, catalog_copy)


def _hidden(root: Path) -> list[str]:
    """What a writer leaves beside the catalogs besides lock files: never an `.old` or a temp directory."""
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock"))


def test_temp_directories_of_killed_writers_are_swept(catalog_copy: Path, records: list[PriceRecord]) -> None:
    import shutil

    abandoned = catalog_copy / f".{REGION}.k1ll3d00"  # what mkdtemp left when a writer was SIGKILLed mid-write
    shutil.copytree(catalog_copy / REGION, abandoned)
    with Mirror(records) as m:
        refresh("bulk", endpoint=m.url, services=["AmazonECS"], root=catalog_copy,
                http=Http(attempts=2, backoff_s=0.01))
    assert _hidden(catalog_copy) == [] and (catalog_copy / f".{REGION}.lock").is_file()
    Catalog.load(REGION, catalog_copy)


# -- real concurrent processes --------------------------------------------------------------------------------

def _rate(records: list[PriceRecord], offer: str, usage_prefix: str) -> PriceRecord:
    return next(r for r in records if r.offer_code == offer and r.term == "OnDemand" and r.rate_code
                and r.usage_type.startswith(usage_prefix))


def _refresh_cmd(url: str, service: str) -> list[str]:
    return [sys.executable, "-m", "stackcost", "catalog", "refresh", "--source", "bulk", "--endpoint", url,
            "--service", service, "--spot-url", f"{url}/fargate-spot-prices.json"]


def _env(root: Path) -> dict[str, str]:
    return {**os.environ, "STACKCOST_PRICING_DATA": str(root), "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200"}


@pytest.mark.slow
def test_two_refreshes_of_different_services_both_land(catalog_copy: Path, records: list[PriceRecord]) -> None:
    ecs = _rate(records, "AmazonECS", "APN2-Fargate-vCPU-Hours")
    rds = _rate(records, "AmazonRDS", "APN2-RDS:GP3-Storage")
    # New prices the mirror publishes: each doubled, so either lost update would show.
    new_ecs, new_rds = str(Decimal(ecs.price_usd) * 2), str(Decimal(rds.price_usd) * 2)
    with Mirror(records, overrides={ecs.rate_code: new_ecs, rds.rate_code: new_rds}) as m:
        a = subprocess.Popen(_refresh_cmd(m.url, "AmazonECS"), env=_env(catalog_copy), cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.2)
        b = subprocess.Popen(_refresh_cmd(m.url, "AmazonRDS"), env=_env(catalog_copy), cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        outs = [p.communicate(timeout=80) for p in (a, b)]
    for p, (out, err) in zip((a, b), outs, strict=True):
        assert p.returncode == 0, err
        assert "installed" in out
    after = Catalog.load(REGION, catalog_copy)
    by_rate = {r.rate_code: r for r in after.records if r.rate_code}
    assert Decimal(by_rate[ecs.rate_code].price_usd) == Decimal(new_ecs)
    assert Decimal(by_rate[rds.rate_code].price_usd) == Decimal(new_rds)
    assert set(after.manifest["refreshes"]) >= {"AmazonECS", "AmazonRDS"}


READER = """
import sys, time
from pathlib import Path
from stackcost.catalog import Catalog
end = time.monotonic() + float(sys.argv[2])
n = 0
while time.monotonic() < end:
    c = Catalog.load("ap-northeast-2", Path(sys.argv[1]))
    assert len(c.records) > 1000
    n += 1
print(n)
"""


@pytest.mark.slow
def test_six_refreshes_at_once_never_crash_and_readers_always_load(catalog_copy: Path,
                                                                  records: list[PriceRecord]) -> None:
    services = ["AmazonECS", "AmazonRDS", "AmazonElastiCache", "AWSELB", "AmazonCloudFront", "FargateSpotFeed"]
    before = Catalog.load(REGION, catalog_copy)
    ecs = _rate(records, "AmazonECS", "APN2-Fargate-vCPU-Hours")
    new_ecs = str(Decimal(ecs.price_usd) * 2)
    with Mirror(records, overrides={ecs.rate_code: new_ecs}) as m:
        reader = subprocess.Popen([sys.executable, "-c", READER, str(catalog_copy), "20"], env=_env(catalog_copy),
                                  cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        procs = [subprocess.Popen(_refresh_cmd(m.url, s), env=_env(catalog_copy), cwd=ROOT, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for s in services]
        outs = [p.communicate(timeout=85) for p in procs]
        r_out, r_err = reader.communicate(timeout=60)
    for s, p, (_out, err) in zip(services, procs, outs, strict=True):
        assert "Traceback" not in err, err
        assert p.returncode == 0, (s, err)
    assert reader.returncode == 0, r_err
    assert int(r_out) > 0
    after = Catalog.load(REGION, catalog_copy)
    assert len(after.records) == len(before.records)
    refreshed = {**after.manifest["refreshes"], **(after.global_manifest or {}).get("refreshes", {})}
    assert set(refreshed) >= set(services)
    by_rate = {r.rate_code: r for r in after.records if r.rate_code}
    assert Decimal(by_rate[ecs.rate_code].price_usd) == Decimal(new_ecs)
    assert _hidden(catalog_copy) == []  # no .old, no temp directory


# -- Pricing API answers of the wrong shape (botocore's Stubber) -------------------------------------------------

@pytest.mark.parametrize(("price_list", "match"), [
    (["[]"], "not in the expected format"),
    (['"just a string"'], "not in the expected format"),
    (['{"product": [], "terms": {}}'], "not in the expected format"),
    (['{"product": {"sku": "X", "attributes": {"servicecode": "AmazonECS", "usagetype": "APN2-Fargate-vCPU-Hours:'
      'perCPU", "regionCode": "ap-northeast-2", "cputype": "perCPU", "operatingSystem": "Linux"}}, "terms": '
      '{"OnDemand": {"X.Y": {"offerTermCode": "Y", "priceDimensions": {"X.Y.Z": {"rateCode": "X.Y.Z", "unit": '
      '"hours", "pricePerUnit": {"USD": "-Infinity"}}}}}}}'], "not a price"),
    (["{not json"], "not valid JSON"),
])
def test_api_answers_of_the_wrong_shape_are_one_line(catalog_copy: Path, price_list: list[str], match: str) -> None:
    import boto3
    from botocore.stub import Stubber

    kw = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    clients = {"pricing": boto3.client("pricing", **kw), "savingsplans": boto3.client("savingsplans", **kw)}

    class Session:
        def client(self, name: str, **_: Any) -> Any:
            return clients[name]

    before = _digest(catalog_copy)
    stub = Stubber(clients["pricing"])
    stub.add_response("get_products", {"PriceList": price_list, "FormatVersion": "aws_v1"})
    with stub, pytest.raises(RefreshError, match=match) as info:
        refresh("api", services=["AmazonECS"], root=catalog_copy, session=Session())
    assert "\n" not in str(info.value)
    assert _digest(catalog_copy) == before


def test_api_savings_plan_rate_of_the_wrong_shape_is_one_line(catalog_copy: Path) -> None:
    import boto3
    from botocore.stub import Stubber

    kw = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    clients = {"pricing": boto3.client("pricing", **kw), "savingsplans": boto3.client("savingsplans", **kw)}

    class Session:
        def client(self, name: str, **_: Any) -> Any:
            return clients[name]

    stub = Stubber(clients["savingsplans"])
    stub.add_response("describe_savings_plans_offering_rates", {"searchResults": [
        {"savingsPlanOffering": {"durationSeconds": 31536000, "paymentOption": "No Upfront"}, "rate": "NaN",
         "unit": "Hrs", "usageType": "APN2-Fargate-vCPU-Hours:perCPU", "operation": "", "serviceCode": "AmazonECS"}]})
    with stub, pytest.raises(RefreshError, match="not a price"):
        refresh("api", services=["AWSComputeSavingsPlan"], root=catalog_copy, session=Session())
