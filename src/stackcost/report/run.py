"""`make_report`: choose the actuals source, build the report, write it (atomically) with its JSON twin."""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from stackcost.catalog import Catalog
from stackcost.estimate import EstimateError
from stackcost.report import render
from stackcost.report.actuals import Actuals, ActualsError, unavailable
from stackcost.report.model import KOREAN_VAT, Options, Report, build, load_previous
from stackcost.sizing.model import Stack
from stackcost.util import write_atomic


def get_actuals(spec: str | None, opts: Options, envs: list[str], out: Path, profile: str | None = None,
                clients: Any = None, *, fmt: str = "auto", tag_key: str = "Environment",
                athena: dict[str, Any] | None = None, hourly: bool = False,
                group_tag: str | None = None) -> Actuals:
    if not spec:
        return unavailable("none", "no actual spend source given (--actuals ce | cur:PATH | csv:PATH)")
    if spec == "ce":
        from stackcost.report import cost_explorer

        try:
            if clients is None:
                import boto3

                clients = cost_explorer.Clients.from_session(boto3.Session(profile_name=profile))
        except Exception as exc:  # a missing profile or region: say so, and still make the report
            return unavailable("ce", f"Cost Explorer: {str(exc).splitlines()[0]}")
        from stackcost.report.billing.formats import tag_names

        # Cost Explorer names a cost-allocation tag by its bare key (Environment, not user:Environment).
        return cost_explorer.fetch(clients, opts.start, opts.end, opts.as_of, envs, out / ".cache",
                                   tag=tag_names(tag_key)[0])
    kind, _, path = spec.partition(":")
    if kind == "athena" and path:
        from stackcost.report.billing import athena as athena_mod

        return athena_mod.read(path, opts.start, opts.end, tag_key=tag_key, fmt=fmt, client=clients,
                               profile=profile, **(athena or {}))
    if kind == "s3" and path.startswith("//"):
        kind, path = "cur", spec
    if kind in ("cur", "csv", "focus", "file") and path:
        from stackcost.report.billing.read import read_files

        if path.startswith("s3://"):
            from stackcost.report.billing import s3

            files = s3.fetch(path, opts.start, opts.end, out / ".cache" / "s3", client=clients, profile=profile)
            if not files:
                return unavailable(path, f"no billing rows for {opts.month} in {path} (no export files for the month)")
            return read_files(path, opts.start, opts.end, fmt=fmt, tag_key=tag_key, files=files, hourly=hourly,
                              group_tag=group_tag)
        if kind == "csv" and fmt == "auto" and Path(path).is_file():
            # csv:PATH is the simple CSV as before, unless its columns say it is an export.
            return read_files(path, opts.start, opts.end, fmt="auto", tag_key=tag_key, hourly=hourly,
                              group_tag=group_tag)
        return read_files(path, opts.start, opts.end, fmt=fmt, tag_key=tag_key, hourly=hourly, group_tag=group_tag)
    raise ActualsError(f"--actuals {spec!r}: expected ce, cur:PATH or csv:PATH (PATH: a file, a directory, a glob or "
                       "s3://BUCKET/PREFIX/), or athena:DATABASE.TABLE")


def make_report(stack: Stack, catalog: Catalog, *, month: str, env: str, actuals: str | None, fmt: str, out: Path,
                as_of: date, vat: Decimal = KOREAN_VAT, krw: tuple[Decimal, str] | None = None,
                budget: Decimal | None = None, thresholds: tuple[Decimal, Decimal] = (Decimal(10), Decimal(10)),
                risk: str = "medium", profile: str | None = None, clients: Any = None,
                actuals_format: str = "auto", tag_key: str = "Environment",
                athena: dict[str, Any] | None = None) -> Path:
    envs = list(stack.environments) if env == "all" else [env]
    for e in envs:
        if e not in stack.environments:
            raise EstimateError(f"no environment {e!r} in the config (it has: {', '.join(stack.environments)})")
    opts = Options(month=month, as_of=as_of, threshold_pct=thresholds[0], threshold_usd=thresholds[1], vat_rate=vat,
                   krw_per_usd=krw[0] if krw else None, krw_date=krw[1] if krw else "", budget_usd=budget, risk=risk)
    out.mkdir(parents=True, exist_ok=True)
    data = get_actuals(actuals, opts, envs, out, profile, clients, fmt=actuals_format, tag_key=tag_key,
                       athena=athena)
    report = build(stack, catalog, envs, data, opts, previous=load_previous(out, month), tag_key=tag_key)
    if actuals and report.actuals_unavailable:
        # Said on stderr too: a month without rows must never pass for "Actual $0.00, on track".
        print(f"warning: {report.actuals_unavailable}", file=sys.stderr)
    if report.unallocated_usd:
        vals = ", ".join(repr(v) if v else "(untagged)" for v in report.unallocated_tag_values[:10])
        print(f"warning: {report.unallocated_usd:.2f} USD of {month} usage carries no {tag_key} tag matching an "
              f"environment (values seen: {vals})", file=sys.stderr)
    return write(report, fmt, out)


def write(report: Report, fmt: str, out: Path) -> Path:
    stem = out / f"stackcost-report-{report.options.month}"
    write_atomic(stem.with_suffix(".json"), json.dumps(report.to_json(), indent=1, ensure_ascii=False))
    path = stem.with_suffix(f".{fmt}")
    if fmt == "md":
        write_atomic(path, render.markdown(report))
    elif fmt == "html":
        write_atomic(path, render.html(report))
    else:
        render.xlsx(report, path)
    return path
