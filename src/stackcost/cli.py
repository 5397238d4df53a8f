"""`cost`: a thin shell over the library. Every error the user can cause ends in one line and exit code 2."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stackcost.errors import StackcostError, UserError

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.console import Console
    from rich.progress import TaskID

    from stackcost.catalog import Catalog
    from stackcost.estimate import Estimate

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="AWS cost estimates for the hospital ERP stack in Seoul, from a cached AWS price catalog.")
catalog_app = typer.Typer(no_args_is_help=True, help="The cached AWS price catalog.")
app.add_typer(catalog_app, name="catalog")
import_app = typer.Typer(no_args_is_help=True, help="Build a sizing YAML from infrastructure code.")
app.add_typer(import_app, name="import")

REGION = "ap-northeast-2"


def _number(lo: float | None = None, hi: float | None = None, *, above: float | None = None) \
        -> Callable[[float | None], float | None]:
    """Parse-time check of a numeric option: finite (click lets `nan` and `inf` through) and within range."""
    import math

    def check(value: float | None) -> float | None:
        if value is None:
            return None
        if not math.isfinite(value):
            raise typer.BadParameter(f"{value} is not a finite number")
        if lo is not None and value < lo:
            raise typer.BadParameter(f"{value} is below {lo:g}")
        if hi is not None and value > hi:
            raise typer.BadParameter(f"{value} is above {hi:g}")
        if above is not None and value <= above:
            raise typer.BadParameter(f"{value} must be more than {above:g}")
        return value

    return check


def _yyyy_mm(value: str | None) -> str | None:
    return _date_option(value, False)


def _yyyy_mm_dd(value: str | None) -> str | None:
    return _date_option(value, True)


def _date_option(value: str | None, day: bool) -> str | None:
    """YYYY-MM (or YYYY-MM-DD) within 2000-2999: later years overflow date arithmetic (9999-12 + 1 month). One
    `error:` line (a UserError), like the other report inputs, rather than the usage box."""
    import re
    from datetime import date

    if value is None:
        return None
    form = r"(\d{4})-(\d{2})-(\d{2})" if day else r"(\d{4})-(\d{2})"
    option, expected = ("--as-of", "YYYY-MM-DD") if day else ("--month", "YYYY-MM")
    m = re.fullmatch(form, value)
    try:
        if not m:
            raise ValueError
        date.fromisoformat(value if day else f"{value}-01")
    except ValueError:
        raise UserError(f"{option} {value[:40]!r}: expected {expected}") from None
    if not 2000 <= int(m.group(1)) <= 2999:
        raise UserError(f"{option} {value!r}: expected {expected} with a year from 2000 to 2999")
    return value


class Fmt(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class CatalogFmt(StrEnum):
    table = "table"
    json = "json"


def _console() -> Console:
    from rich.console import Console

    return Console(width=200) if not sys.stdout.isatty() else Console()


def _load_catalog(region: str = REGION) -> Catalog:
    from stackcost.catalog import Catalog

    return Catalog.load(region)


ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Sizing YAML (default: ./cost.yaml, "
                                                "else the embedded hospital-ERP preset).")]


# -- catalog --------------------------------------------------------------------------------------------------

@catalog_app.command("info")
def catalog_info(fmt: Annotated[CatalogFmt, typer.Option("--format")] = CatalogFmt.table,
                 region: str = REGION) -> None:
    """Per offer: records, publication dates, sources, age; checksums verified."""
    from stackcost.catalog.info import catalog_info as info_of

    info = info_of(_load_catalog(region))
    if fmt is CatalogFmt.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(title=f"Price catalog {info['region']}: {info['records']} records, published "
                        f"{info['published_min']} to {info['published_max']}, checksums verified",
                  title_justify="left")
    for col in ("Offer", "Services", "Records", "Published", "Age", "Source"):
        table.add_column(col, justify="right" if col in ("Records", "Age") else "left")
    for o in info["offers"]:
        age = "" if o["age_days"] is None else f"{o['age_days']} d" + (" [red]STALE[/red]" if o["stale"] else "")
        span = o["published_min"] if o["published_min"] == o["published_max"] else \
            f"{o['published_min']} – {o['published_max']}"
        regions = "" if o["regions"] == [info["region"]] else f" (regions: {', '.join(o['regions'])})"
        table.add_row(o["offer_code"], ", ".join(o["services"]) + regions, str(o["records"]), span, age,
                      "; ".join(o["sources"])[:70])
    con = _console()
    con.print(table)
    stale = [o["offer_code"] for o in info["offers"] if o["stale"]]
    if stale:
        con.print(f"[yellow]warning:[/yellow] newest prices of {', '.join(stale)} are over 12 months old; "
                  "refresh them from the AWS Price List when you can.")
    con.print(f"Missing commitment offerings ({len(info['gaps'])}): " +
              "; ".join(f"{g['service']} {g['offering']}" for g in info["gaps"]))


@catalog_app.command("search")
def catalog_search(text: str, service: Annotated[str | None, typer.Option(help="service or offer code")] = None,
                   term: Annotated[str | None, typer.Option(help="OnDemand, Reserved, SavingsPlan, Spot")] = None,
                   fmt: Annotated[CatalogFmt, typer.Option("--format")] = CatalogFmt.table,
                   region: str = REGION) -> None:
    """Find prices by usage type, instance type, SKU or description."""
    from stackcost import output

    found = _load_catalog(region).search(text, service_code=service, term=term)
    if fmt is CatalogFmt.json:
        print(output.search_json(found, text))
        return
    if not found:
        from stackcost.safeio import echo

        raise UserError(f"no price matches {echo(text)}" + (f" in {echo(service)}" if service else ""))
    _console().print(output.search_table(found, text))


@catalog_app.command("build")
def catalog_build(src: Annotated[Path, typer.Option("--from", help="directory in the shared/aws-prices layout")],
                  region: str = REGION,
                  out: Annotated[Path | None, typer.Option(help="pricing_data root (default: the shipped one)")]
                  = None) -> None:
    """Regenerate pricing_data/<region>/ from AWS price files (reproducible, byte for byte)."""
    from stackcost.catalog.build import build
    from stackcost.paths import pricing_data_root

    if not src.is_dir():
        raise UserError(f"--from {src}: not a directory")
    target = build(src, region, out or pricing_data_root())
    manifest = json.loads((target / "manifest.json").read_text())
    total = sum(o["records"] for o in manifest["offers"].values())
    print(f"built {target}: {total} records in {len(manifest['offers'])} offers, {len(manifest['gaps'])} gaps listed")


class Source(StrEnum):
    api = "api"
    bulk = "bulk"


@catalog_app.command("refresh")
def catalog_refresh(
    source: Annotated[Source, typer.Option(help="api: boto3 Pricing API (credentials); bulk: public price files")]
    = Source.bulk,
    region: str = REGION,
    service: Annotated[list[str] | None, typer.Option(help="refresh only this offer (repeatable), e.g. AmazonECS; "
                                                           "FargateSpotFeed is the Spot feed")] = None,
    endpoint: Annotated[str | None, typer.Option(help="bulk price list host or mirror (default: AWS's public "
                                                      "https://pricing.us-east-1.amazonaws.com)")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS profile for --source api")] = None,
    spot_url: Annotated[str | None, typer.Option(help="Fargate Spot price feed URL")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show the diff, write nothing")] = False,
    force: Annotated[bool, typer.Option("--force", help="install even if a service lost records")] = False,
    max_loss: Annotated[float, typer.Option(help="refuse if an offer loses more than this share of records (0-1)",
                                            callback=_number(0, 1))] = 0.2,
) -> None:
    """Update the cached catalog from the AWS Price List; prints a diff, installs atomically."""
    from stackcost.catalog.refresh.run import refresh
    from stackcost.output import refresh_table

    con = _console()
    progress_cb, stop = _progress()
    try:
        result = refresh(source.value, region=region, services=service, endpoint=endpoint, profile=profile,
                         spot_url=spot_url, dry_run=dry_run, force=force, max_loss=max_loss, progress=progress_cb,
                         notice=lambda m: print(f"note: {m}", file=sys.stderr, flush=True))
    finally:
        stop()
    con.print(refresh_table(result.diff))
    if result.installed:
        con.print(f"installed {result.target}: {result.records} records (manifest lists where and when each offer "
                  "was refreshed)")
    else:
        con.print("dry run: nothing was written")


def _progress() -> tuple[Callable[[str, int, int | None, int], None] | None, Callable[[], None]]:
    """A rich progress bar on stderr (bytes downloaded, records kept) when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                   TextColumn("{task.fields[kept]} records kept"), console=Console(stderr=True), transient=True)
    tasks: dict[str, TaskID] = {}
    bar.start()

    def update(label: str, got: int, total: int | None, kept: int) -> None:
        if label not in tasks:
            tasks[label] = bar.add_task(label, total=total, kept=0)
        bar.update(tasks[label], completed=got, total=total, kept=kept)

    return update, bar.stop


# -- estimates ------------------------------------------------------------------------------------------------

def _estimate(config: Path | None, env: str) -> Estimate:
    from stackcost.estimate import estimate
    from stackcost.sizing.load import load_stack, resolve_config

    stack, _ = load_stack(resolve_config(config))
    return estimate(stack, env, _load_catalog(stack.region))


@app.command("estimate")
def estimate_cmd(environment: Annotated[str, typer.Argument(help="environment name")] = "production",
                 config: ConfigOpt = None,
                 fmt: Annotated[Fmt, typer.Option("--format")] = Fmt.table,
                 all_envs: Annotated[bool, typer.Option("--all", help="every environment side by side")] = False,
                 ) -> None:
    """What an environment costs per month, line by line, with every price traced to the catalog."""
    from stackcost import output
    from stackcost.estimate import estimate
    from stackcost.sizing.load import empty_environments, load_stack, resolve_config

    stack, source = load_stack(resolve_config(config))
    for name in empty_environments(stack):
        if all_envs or name == environment:
            print(f"warning: environment {name!r} in {source} names no service; it costs $0", file=sys.stderr)
    catalog = _load_catalog(stack.region)
    if all_envs:
        ests = [estimate(stack, name, catalog) for name in stack.environments]
        if fmt is Fmt.json:
            print(json.dumps([e.to_json() for e in ests], indent=2, ensure_ascii=False))
        elif fmt is Fmt.csv:
            print("".join(output.estimate_csv(e) if i == 0 else output.estimate_csv(e).split("\n", 1)[1]
                          for i, e in enumerate(ests)), end="")
        elif fmt is Fmt.markdown:
            print("\n".join(output.estimate_markdown(e) for e in ests))
        else:
            _console().print(output.side_by_side(ests))
        return
    est = estimate(stack, environment, catalog)
    if fmt is Fmt.json:
        print(output.estimate_json(est))
    elif fmt is Fmt.csv:
        print(output.estimate_csv(est), end="")
    elif fmt is Fmt.markdown:
        print(output.estimate_markdown(est), end="")
    else:
        con = _console()
        con.print(output.estimate_table(est))
        con.print(f"Config: {source}. Prices: AWS list prices for {est.region}, published {est.published_min} "
                  f"to {est.published_max} (`cost catalog info`).")
        for note in est.assumptions:
            con.print(f"[dim]assumption: {note}[/dim]")


@app.command("compare")
def compare_cmd(a: Annotated[str, typer.Argument(help="environment, or a config file")],
                b: Annotated[str, typer.Argument(help="environment, or a config file")],
                config: ConfigOpt = None,
                environment: Annotated[str, typer.Option("--env", help="environment when comparing two files")]
                = "production") -> None:
    """The difference per line between two environments (or two config files)."""
    from stackcost import output

    def one(x: str) -> tuple[Estimate, str]:
        p = Path(x)
        if p.suffix in (".yaml", ".yml"):
            return _estimate(p, environment), f"{p.name}:{environment}"
        return _estimate(config, x), x

    (ea, la), (eb, lb) = one(a), one(b)
    _console().print(output.compare_table(ea, eb, la, lb))


class Risk(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


@app.command("optimize")
def optimize_cmd(environment: Annotated[str, typer.Argument(help="environment name")] = "production",
                 config: ConfigOpt = None,
                 risk: Annotated[Risk, typer.Option(help="low: 1-year commitments on production; medium: + 3-year "
                                                         "terms and low-disruption changes; high: + Spot, schedules, "
                                                         "ARM")] = Risk.medium,
                 fmt: Annotated[Fmt, typer.Option("--format")] = Fmt.table,
                 usage_csv: Annotated[Path | None, typer.Option(help="hourly usage CSV with a 'tasks' column, for "
                                                                     "Savings Plan sizing")] = None,
                 usage_service: Annotated[str | None, typer.Option(help="the Fargate service the CSV describes")]
                 = None) -> None:
    """Reserved instances, Savings Plans, Spot, Graviton and other options against on-demand, and a plan."""
    from stackcost import optimize_output as out
    from stackcost.optimize import optimize
    from stackcost.sizing.load import load_stack, resolve_config

    stack, _ = load_stack(resolve_config(config))
    result = optimize(stack, environment, _load_catalog(stack.region), risk=risk.value, usage_csv=usage_csv,
                      usage_service=usage_service)
    if fmt is Fmt.json:
        print(out.optimize_json(result))
    elif fmt is Fmt.csv:
        print(out.optimize_csv(result), end="")
    elif fmt is Fmt.markdown:
        print(out.optimize_markdown(result), end="")
    else:
        _console().print(out.optimize_tables(result))


class ReportFmt(StrEnum):
    md = "md"
    html = "html"
    xlsx = "xlsx"


@app.command("report")
def report_cmd(
    month: Annotated[str, typer.Option(help="YYYY-MM", callback=_yyyy_mm)],
    env: Annotated[str, typer.Option("--env", help="an environment, or all")] = "all",
    budget: Annotated[float | None, typer.Option(help="budget USD per environment (else the config's "
                                                        "budget_usd, else AWS Budgets)",
                                                   callback=_number(above=0))] = None,
    actuals: Annotated[str | None, typer.Option(help="ce | cur:PATH | csv:PATH (none: estimate and budget only)")]
    = None,
    fmt: Annotated[ReportFmt, typer.Option("--format")] = ReportFmt.html,
    out: Annotated[Path, typer.Option(help="directory for the report (and the JSON the next month compares to)")]
    = Path("reports"),
    config: ConfigOpt = None,
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today)",
                                              callback=_yyyy_mm_dd)] = None,
    vat: Annotated[float, typer.Option(help="VAT rate shown on its own line (Korean billing: 0.10)",
                                       callback=_number(0, 1))] = 0.10,
    krw_rate: Annotated[float | None, typer.Option(help="KRW per USD for the KRW column",
                                                   callback=_number(above=0, hi=1e6))] = None,
    krw_date: Annotated[str, typer.Option(help="the date of that rate")] = "",
    threshold_pct: Annotated[float, typer.Option(callback=_number(0, 1000))] = 10.0,
    threshold_usd: Annotated[float, typer.Option(callback=_number(0, 1e9))] = 10.0,
    risk: Annotated[Risk, typer.Option(help="risk level of the recommended plan shown")] = Risk.medium,
    profile: Annotated[str | None, typer.Option(help="AWS profile for --actuals ce")] = None,
) -> None:
    """Monthly budget report: estimate vs budget vs actual spend, as Markdown, HTML or Excel."""
    from datetime import date
    from decimal import Decimal

    from stackcost.report.run import make_report
    from stackcost.sizing.load import load_stack, resolve_config

    try:
        day = date.fromisoformat(as_of) if as_of else date.today()
        date.fromisoformat(f"{month}-01")
    except ValueError:
        raise UserError(f"--month {month!r} / --as-of {as_of!r}: expected YYYY-MM and YYYY-MM-DD") from None
    if krw_rate is not None and krw_rate <= 0:
        raise UserError("--krw-rate must be > 0")
    from stackcost.util import ensure_dir

    stack, _ = load_stack(resolve_config(config))
    ensure_dir(out)  # an unwritable --out is one line before the report is built
    path = make_report(stack, _load_catalog(stack.region), month=month, env=env, actuals=actuals, fmt=fmt.value,
                       out=out, as_of=day, vat=Decimal(str(vat)),
                       krw=(Decimal(str(krw_rate)), krw_date) if krw_rate else None,
                       budget=Decimal(str(budget)) if budget is not None else None,
                       thresholds=(Decimal(str(threshold_pct)), Decimal(str(threshold_usd))), risk=risk.value,
                       profile=profile)
    print(f"wrote {path}")


@import_app.command("terraform")
def import_terraform_cmd(
    directory: Annotated[Path, typer.Argument(help="the Terraform root (modules with local sources are followed)")],
    var_file: Annotated[list[Path] | None, typer.Option("--var-file", help="a .tfvars file (repeatable)")] = None,
    env: Annotated[str | None, typer.Option("--env", help="environment name (default: var.environment)")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="sizing YAML to write")] = Path("cost.yaml"),
) -> None:
    """Write a sizing YAML for one environment from Terraform (what it cannot resolve is listed, never guessed)."""
    from stackcost.terraform.build import import_terraform
    from stackcost.terraform.emit import to_yaml
    from stackcost.util import write_atomic

    if not directory.is_dir():
        raise UserError(f"{directory}: not a directory")
    for vf in var_file or []:
        if not vf.is_file():
            raise UserError(f"--var-file {vf}: no such file")
    imported = import_terraform(directory, list(var_file or []), env)
    text = to_yaml(imported, f"{directory} " + " ".join(f"--var-file {v}" for v in var_file or []))
    write_atomic(output, text)
    for w in imported.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(f"wrote {output} ({imported.environment}); then: cost estimate {imported.environment} --config {output}")


@app.command("init")
def init_cmd(path: Annotated[Path, typer.Argument()] = Path("cost.yaml")) -> None:
    """Write the embedded hospital-ERP sizing to ./cost.yaml to edit (never overwrites)."""
    from stackcost.sizing.load import preset_text
    from stackcost.util import write_atomic

    if path.exists():
        raise UserError(f"{path} already exists; not overwriting it (remove it first)")
    write_atomic(path, preset_text())
    print(f"wrote {path}: edit it, then run `cost estimate production`")


def main() -> None:
    import signal
    import threading

    # The console script's entry (stackcost._entry) held Ctrl-C during start-up; from here on it is Python's
    # KeyboardInterrupt again, so interrupted writes clean up (atomic_target, write_catalog) before the line below.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        app()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except SystemExit as exc:
        if exc.code == 130:  # typer turns Ctrl-C into a silent Exit(130): say what happened, in one line
            print("interrupted", file=sys.stderr)
        raise
    except StackcostError as exc:
        # One line per problem (a config can have several), never a traceback.
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"error: {line}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except Exception as exc:  # a bug: one line for the user, the traceback in a file for the report
        sys.exit(_internal_error(exc))


def _internal_error(exc: BaseException) -> int:
    import tempfile
    import traceback

    detail = "".join(traceback.format_exception(exc))
    try:
        fd, name = tempfile.mkstemp(prefix="stackcost-crash-", suffix=".txt")
        with open(fd, "w", encoding="utf-8") as fh:
            fh.write(detail)
        where = name
    except OSError:
        where = "(could not write a details file)"
    summary = f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
    print(f"internal error: {summary} — details in {where}", file=sys.stderr)
    return 70
