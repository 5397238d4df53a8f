"""A Price List mirror on 127.0.0.1: the documented bulk layout (offer index, region indexes, region offer files,
Savings Plans region index) plus the Fargate Spot feed, with injectable faults (throttling, truncation,
malformed JSON)."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from stackcost.catalog.records import PriceRecord
from tests.pricelist_fixtures import REGION, database_sp_document, offer_document, spot_feed

OFFERS = ["AmazonECS", "AmazonRDS", "AmazonElastiCache", "AmazonEC2", "AWSELB", "AmazonCloudFront"]


class Mirror:
    def __init__(self, records: list[PriceRecord], overrides: dict[str, str] | None = None) -> None:
        self.files: dict[str, bytes] = {}
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.hits: dict[str, int] = defaultdict(int)
        index: dict[str, Any] = {"formatVersion": "v1.0", "offers": {}}
        for offer in OFFERS:
            doc = offer_document(offer, records, overrides)
            base = f"/offers/v1.0/aws/{offer}"
            path = f"{base}/{doc['version']}/{REGION}/index.json"
            index["offers"][offer] = {"offerCode": offer, "currentVersionUrl": f"{base}/current/index.json",
                                      "currentRegionIndexUrl": f"{base}/current/region_index.json"}
            self.put(f"{base}/current/region_index.json", {"formatVersion": "v1.0", "regions": {
                REGION: {"regionCode": REGION, "currentVersionUrl": path}}})
            self.put(path, doc)
        self.put("/offers/v1.0/aws/index.json", index)
        sp = "/savingsPlan/v1.0/aws/AWSDatabaseSavingsPlans"
        self.put(f"{sp}/current/region_index.json", {"regions": [
            {"regionCode": REGION, "versionUrl": f"{sp}/20251210/{REGION}/index.json"}]})
        self.put(f"{sp}/20251210/{REGION}/index.json", database_sp_document(records))
        self.put("/fargate-spot-prices.json", spot_feed(records))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def put(self, path: str, doc: Any) -> None:
        self.files[path] = json.dumps(doc).encode()

    def path_of(self, offer: str) -> str:
        return next(p for p in self.files if p.startswith(f"/offers/v1.0/aws/{offer}/") and p.endswith(
            f"/{REGION}/index.json"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Mirror:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                mirror.hits[path] += 1
                body = mirror.files.get(path)
                if body is None:
                    self.send_error(404)
                    return
                fault = mirror.faults[path].pop(0) if mirror.faults[path] else ""
                if fault in ("429", "503"):
                    self.send_response(int(fault))
                    self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if fault == "malformed":
                    body = body[: len(body) // 2] + b"}}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body) * (2 if fault == "truncate" else 1)))
                self.end_headers()
                self.wfile.write(body)
                if fault == "truncate":
                    self.close_connection = True

        return Handler
