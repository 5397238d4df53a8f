"""`cost calibrate`: read the window, calibrate, write the YAML (and the Fargate hourly profile), say what changed."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from stackcost.calibrate.run import CalibrateError, Result, calibrate, window
from stackcost.calibrate.source import observe
from stackcost.catalog import Catalog
from stackcost.sizing.model import Stack
from stackcost.util import write_atomic


def run(stack: Stack, catalog: Catalog, *, actuals: str, month: str, months: int, env: str, output: Path | None,
        force: bool, fmt: str, actuals_format: str = "auto", tag_key: str = "Environment",
        athena: dict[str, Any] | None = None, profile: str | None = None, clients: Any = None,
        service_tag: str = "aws:ecs:serviceName") -> tuple[Result, str]:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise CalibrateError(f"--month {month!r}: expected YYYY-MM")
    if not 1 <= months <= 36:
        raise CalibrateError(f"--months {months}: expected 1 to 36")
    if env not in stack.environments:
        raise CalibrateError(f"no environment {env!r} in the config (it has: {', '.join(stack.environments)})")
    out = output or Path(f"stackcost-calibrated-{env}-{month}.yaml")
    if out.exists() and not force:
        raise CalibrateError(f"{out} exists; not overwriting it without --force")
    span = window(month, months)
    if date.fromisoformat(f"{span[-1]}-01") > date.today():
        raise CalibrateError(f"--month {month}: the month has not begun")
    rows, source = observe(actuals, span, env, stack, out.parent / ".stackcost-cache", fmt=actuals_format,
                           tag_key=tag_key, athena=athena, clients=clients, profile=profile, service_tag=service_tag)
    res = calibrate(stack, catalog, env, rows, span, source, service_tag=service_tag)
    written = [out]
    write_atomic(out, res.yaml)
    for name, counts in res.profiles.items():
        # The hourly profile `cost optimize --usage-csv` reads for the Savings Plan sizing.
        path = out.with_name(f"{out.stem}-fargate-{name}.csv")
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["hour", "tasks"])
        hours = [f"{d.isoformat()}T{h:02d}:00" for d in res.days for h in range(24)]
        for hour, n in zip(hours, counts, strict=True):
            w.writerow([hour, format(n.quantize(Decimal("0.001")).normalize(), "f")])
        write_atomic(path, buf.getvalue())
        written.append(path)
    if fmt == "json":
        data = res.to_json() | {"output": str(out), "usage_csv": [str(p) for p in written[1:]]}
        return res, json.dumps(data, indent=1, ensure_ascii=False)
    return res, text(res, written)


def _v(v: Any) -> str:
    if isinstance(v, dict):
        if set(v) == {"low", "typical", "high"}:
            return f"{_v(v['typical'])} ({_v(v['low'])}–{_v(v['high'])})"
        return "{" + ", ".join(f"{k}: {_v(x)}" for k, x in v.items() if x is not None and k != "profile") + "}"
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    return str(v)


def text(res: Result, written: list[Path]) -> str:
    lines = [f"calibrated {res.environment} from {res.source}, {', '.join(res.months)} "
             f"({format(res.hours.normalize(), 'f')} h; usage per 730-hour month)", ""]
    if res.changes:
        lines.append("changed (largest monthly cost effect first):")
        for c in res.changes:
            sign = "+" if c.monthly_effect_usd >= 0 else "−"
            lines.append(f"  {c.field}: {_v(c.old)} → {_v(c.new)}   {sign}${abs(c.monthly_effect_usd):,.2f}/month"
                         f"   [{', '.join(c.usage_types)}: {c.observed}]")
    else:
        lines.append("no field changed: the bill agrees with the sizing")
    lines.append(f"monthly estimate: ${res.old_total:,.2f} → ${res.new_total:,.2f} "
                 f"({'+' if res.new_total >= res.old_total else '−'}${abs(res.new_total - res.old_total):,.2f})")
    if res.not_calibrated:
        lines += ["", "not calibrated (cost in the window):"]
        lines += [f"  {n.service} {n.usage_type or '(no usage type)'}: ${n.cost:,.2f} — {n.why}"
                  for n in res.not_calibrated]
    if res.kept:
        lines += ["", "kept from the base config (the export does not measure them): " + ", ".join(res.kept)]
    lines += ["", "wrote " + ", ".join(str(p) for p in written)]
    if res.profiles:
        lines.append(f"  (Fargate profile: {res.profile_note}; use with `cost optimize {res.environment} "
                     f"--usage-csv {written[1]}`)")
    return "\n".join(lines)
