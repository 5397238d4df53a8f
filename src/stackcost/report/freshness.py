"""How old the catalog's prices are, in words every output (page, report, workbook, notebooks) can show: the
newest and oldest publication dates, the offers over 12 months old, where the prices were copied from and the
command that refreshes them. Built from `catalog.info.catalog_info` so the numbers match `cost catalog info`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stackcost.catalog import Catalog

REFRESH_COMMAND = "cost catalog refresh"


@dataclass
class OfferAge:
    offer_code: str
    published: str  # newest publication date of the offer's prices (YYYY-MM-DD)
    age_days: int
    stale: bool


@dataclass
class Freshness:
    region: str
    as_of: date
    published_min: str
    published_max: str
    offers: list[OfferAge]
    copied_from: list[str]  # repositories or pages the price files were copied from
    refresh_command: str = REFRESH_COMMAND
    stale_after_days: int = 365

    @property
    def newest_age_days(self) -> int | None:
        ages = [o.age_days for o in self.offers]
        return min(ages) if ages else None

    @property
    def oldest_age_days(self) -> int | None:
        ages = [o.age_days for o in self.offers]
        return max(ages) if ages else None

    @property
    def stale(self) -> list[OfferAge]:
        return sorted((o for o in self.offers if o.stale), key=lambda o: -o.age_days)

    def headline(self) -> str:
        """One sentence: the age and how many offers are stale."""
        newest, oldest = self.newest_age_days, self.oldest_age_days
        text = (f"Prices: AWS list prices for {self.region}, published {self.published_min} to {self.published_max}"
                + (f"; each price list last updated {newest} to {oldest} days before {self.as_of}"
                   if newest is not None else "") + ".")
        if self.stale:
            text += (f" {len(self.stale)} of {len(self.offers)} price lists are over 12 months old; refresh with "
                     f"`{self.refresh_command}`.")
        return text

    def stale_line(self) -> str:
        if not self.stale:
            return f"No price list is over 12 months old (checked on {self.as_of})."
        return "Over 12 months old: " + ", ".join(f"{o.offer_code} ({o.published}, {o.age_days} days)"
                                                  for o in self.stale) + "."

    def source_line(self) -> str:
        return ("Source: AWS's public price list, as copied by " + ", ".join(self.copied_from) + "."
                if self.copied_from else "Source: AWS's public price list.")

    def lines(self) -> list[str]:
        return [self.headline(), self.stale_line(), self.source_line(),
                f"Refresh: `{self.refresh_command}` fetches the current prices from AWS's Price List."]

    def to_json(self) -> dict[str, Any]:
        return {"published_min": self.published_min, "published_max": self.published_max,
                "newest_age_days": self.newest_age_days, "as_of": self.as_of.isoformat(),
                "stale_offers": [o.offer_code for o in self.stale], "copied_from": self.copied_from,
                "refresh_command": self.refresh_command, "lines": self.lines()}


def _origin(source: str) -> str:
    """'owner/repo:path' → 'owner/repo'; a URL → its host; anything else (an undisclosed copy) → a plain phrase."""
    text = source.strip()
    if text.startswith(("http://", "https://")):
        return text.split("/")[2]
    head = text.split(":", 1)[0]
    if head.count("/") == 1 and " " not in head and not head.startswith("("):
        return head
    if text.endswith(".csv") or ".csv " in text:
        return "the shared price CSV"
    return "an undisclosed copy"


def freshness(catalog: Catalog, today: date | None = None) -> Freshness:
    from stackcost.catalog.info import STALE_DAYS, catalog_info

    today = today or date.today()
    info = catalog_info(catalog, today)
    offers, origins = [], []
    for o in info["offers"]:
        for src in o["sources"]:
            origin = _origin(str(src))
            if origin not in origins:
                origins.append(origin)
        if o["published_max"] is None or o["age_days"] is None:
            continue  # stackcost's own allowance table has no publication date
        offers.append(OfferAge(o["offer_code"], o["published_max"], int(o["age_days"]), bool(o["stale"])))
    # Named copies first, the undisclosed ones last.
    origins.sort(key=lambda s: (s.startswith(("an ", "the ")), s))
    return Freshness(region=str(info["region"]), as_of=today, published_min=str(info["published_min"]),
                     published_max=str(info["published_max"]), offers=offers, copied_from=origins,
                     stale_after_days=STALE_DAYS)
