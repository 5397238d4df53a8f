"""`cost report --suggest-calibration`: the `cost calibrate` command per environment whose bill measured a sizing
field at a value other than the one assumed, with those fields."""

from __future__ import annotations

import json
import shlex
from decimal import Decimal
from pathlib import Path


def commands(report_json: Path, *, actuals: str | None, config: Path | None, tag_key: str) -> list[str]:
    data = json.loads(report_json.read_text(encoding="utf-8"))
    if not actuals or data.get("actuals_unavailable"):
        return ["no calibration to suggest: the report has no actual usage"]
    month = data["options"]["month"]
    out: list[str] = []
    for e in data["environments"]:
        fields = []
        for u in e.get("usage_types", []):
            if not u.get("sizing_field") or u.get("suggested") is None:
                continue
            if _differs(u):
                fields.append(f"{u['sizing_field']} ≈ {u['suggested']}")
        if not fields:
            continue
        args = ["cost", "calibrate", "--actuals", actuals, "--month", month, "--env", e["name"]]
        if config:
            args += ["--config", str(config)]
        if tag_key != "Environment":
            args += ["--tag-key", tag_key]
        args += ["-o", f"calibrated-{e['name']}-{month}.yaml"]
        out.append(f"# {e['name']}: the bill measured " + "; ".join(sorted(set(fields))))
        out.append(shlex.join(args))
    return out or ["no calibration to suggest: the bill agrees with the sizing"]


def _differs(row: dict[str, str]) -> bool:
    """The bill's quantity to date more than 10 % off the estimate line's quantity to date (the same units: the
    field's value and the line's quantity differ for counts and for GB billed each way, their ratio does not)."""
    est = Decimal(row.get("estimate_quantity_to_date") or 0)
    act = Decimal(row.get("actual_quantity") or 0)
    return not est or abs(act - est) > est / 10
