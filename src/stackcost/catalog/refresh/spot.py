"""Fargate Spot prices from the JSON feed the Fargate pricing page loads (URL configurable: `--spot-url`)."""

from __future__ import annotations

from typing import Any

from stackcost.catalog.refresh.errors import RefreshError
from stackcost.catalog.refresh.http import Http
from stackcost.catalog.refresh.pricelist import Fetched, price_string

DEFAULT_SPOT_URL = "https://dftu77xade0tc.cloudfront.net/fargate-spot-prices.json"
_UNITS = {"vCPU-Hours": ("x86_64", "vCPU", "vCPU-hour"), "GB-Hours": ("x86_64", "memory", "GB-hour"),
          "ARM-vCPU-Hours": ("ARM64", "vCPU", "vCPU-hour"), "ARM-GB-Hours": ("ARM64", "memory", "GB-hour")}


def parse_spot_feed(data: Any, region: str, retrieved: str, url: str = "") -> list[Fetched]:
    prices = data.get("prices") if isinstance(data, dict) else None
    if not isinstance(prices, list):
        raise RefreshError(f"{url}: not a Fargate Spot feed (no 'prices' list)")
    out = []
    for p in prices:
        attrs = p.get("attributes") if isinstance(p, dict) else None
        if not isinstance(attrs, dict) or attrs.get("aws:region") != region:
            continue
        unit = _UNITS.get(str(p.get("unit", "")))
        if unit is None:
            continue
        arch, resource, label = unit
        price_obj = p.get("price")
        price = str(price_obj.get("USD", "")) if isinstance(price_obj, dict) else ""
        out.append(Fetched(service_code="AmazonECS", sku="", product_family="Compute", term="Spot",
                           attributes={"cpuArchitecture": arch, "operatingSystem": "Linux", "resource": resource},
                           price_usd=price_string(price, f"{url} {unit[2]}"), unit=label,
                           description=f"Fargate Spot ({'Linux/ARM' if arch == 'ARM64' else 'Linux/x86'}) {resource}",
                           published=retrieved))
    if not out:
        raise RefreshError(f"{url}: the Spot feed has no {region} prices")
    return out


def fetch_spot(http: Http, url: str, region: str, retrieved: str) -> list[Fetched]:
    return parse_spot_feed(http.json(url), region, retrieved, url)
