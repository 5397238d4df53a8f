"""The sentence every output ends with: where the prices come from, how old they are, which offers are stale and
the command that refreshes them."""

from __future__ import annotations

from typing import Any


def sentence(p: dict[str, Any]) -> str:
    where = "AWS list prices"
    if p["copied_by"]:
        where += " (AWS's price files as copied by " + ", ".join(p["copied_by"]) + ")"
    if p["refreshed_from"]:
        where += "; refreshed from the AWS Price List (" + ", ".join(p["refreshed_from"]) + ")"
    age = f"{p['age_days']} days ago" if p["age_days"] is not None else "at an unknown date"
    stale = p["stale_offers"]
    stale_text = (f" {len(stale)} of {p['offers']} offers are over 12 months old ({', '.join(stale)})." if stale
                  else "")
    return (f"Prices: {where} for {p['region']}, published {p['published_min']} to {p['published_max']} (newest "
            f"{age}).{stale_text} Refresh: {p['refresh_command']}.")
