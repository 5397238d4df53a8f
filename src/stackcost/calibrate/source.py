"""The observed usage of one environment over the calibration window, from any source the report reads."""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path
from typing import Any

from stackcost.calibrate.run import CalibrateError
from stackcost.report.actuals import ActualRow
from stackcost.report.billing.allocate import Resolver
from stackcost.sizing.model import Stack


def observe(spec: str, months: list[str], env: str, stack: Stack, cache: Path, *, fmt: str = "auto",
            tag_key: str = "Environment", athena: dict[str, Any] | None = None, clients: Any = None,
            profile: str | None = None, service_tag: str = "aws:ecs:serviceName") -> tuple[list[ActualRow], str]:
    from stackcost.report.model import Options
    from stackcost.report.run import get_actuals

    resolve = Resolver(stack.environments, stack.tag_values)
    rows: list[ActualRow] = []
    label = ""
    for month in months:
        y, m = map(int, month.split("-"))
        end = date(y + (m == 12), m % 12 + 1, 1)
        if spec == "ce":
            from stackcost.report import cost_explorer

            if clients is None:
                import boto3

                clients = cost_explorer.Clients.from_session(boto3.Session(profile_name=profile))
            values = sorted({env, *stack.tag_values.get(env, [])})
            try:
                from stackcost.report.billing.formats import tag_names

                got = cost_explorer.fetch_usage(clients.ce, date(y, m, 1), end, tag_names(tag_key)[0], env, values)
            except Exception as exc:  # botocore errors, credentials: one line
                raise CalibrateError(f"Cost Explorer: {str(exc).strip().splitlines()[0]}") from None
            label = "Cost Explorer"
        else:
            opts = Options(month=month, as_of=date(y, m, calendar.monthrange(y, m)[1]))
            data = get_actuals(spec, opts, [env], cache, profile, clients, fmt=fmt, tag_key=tag_key, athena=athena,
                               hourly=True, group_tag=service_tag if len(stack.environments[env].fargate) > 1 else None)
            if data.unavailable:
                raise CalibrateError(data.unavailable)
            got = [r for r in data.rows if resolve(r.environment) == env]
            label = data.format
        if not any(r.kind == "usage" for r in got):
            raise CalibrateError(f"no usage of environment {env!r} in {month} in {spec} ({tag_key} tag; aliases: "
                                 f"tag_values in the config)")
        rows += got
    return rows, f"{label} {spec}"
