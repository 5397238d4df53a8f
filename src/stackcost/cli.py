"""`cost`: a thin shell over the library. Every error the user can cause ends in one line and exit code 2."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from stackcost.errors import StackcostError, UserError
from stackcost.regions import DEFAULT_REGION as REGION  # `cost catalog` default; estimates take the config's

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.console import Console
    from rich.progress import TaskID

    from stackcost.catalog import Catalog
    from stackcost.estimate import Estimate
    from stackcost.money import View
    from stackcost.sizing.model import Stack

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="AWS cost estimates for the hospital ERP stack in Seoul, from a cached AWS price catalog.")
catalog_app = typer.Typer(no_args_is_help=True, help="The cached AWS price catalog.")
app.add_typer(catalog_app, name="catalog")
import_app = typer.Typer(no_args_is_help=True, help="Build a sizing YAML from infrastructure code.")
app.add_typer(import_app, name="import")



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
    from stackcost.render.table import console

    return console()


def _load_catalog(region: str = REGION) -> Catalog:
    from stackcost.catalog import Catalog

    return Catalog.load(region)


ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Sizing YAML (default: ./cost.yaml, "
                                                "else the embedded hospital-ERP preset).")]
RegionOpt = Annotated[str | None, typer.Option("--region", help="price in this region (default: the config's "
                                               "`region:`, else ap-northeast-2)")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="a line without a price in the catalog is an error "
                                         "(default: shown as unpriced and left out of the totals)")]


def _stack_and_catalog(config: Path | None, region: str | None) -> tuple[Stack, str, Catalog]:
    """The sizing (and where it came from) and the catalog of the region it is priced in."""
    from stackcost.sizing.load import load_stack, resolve_config

    stack, source = load_stack(resolve_config(config))
    if region is not None and region != stack.region:
        stack = stack.model_copy(update={"region": region})
    return stack, source, _load_catalog(stack.region)


def _warn_unpriced(ests: list[Estimate]) -> None:
    for est in ests:
        for item in est.unpriced:
            print(f"warning: {est.environment}: {item.service} {item.component} is unpriced: no price in the "
                  f"catalog for {item.looked_for}", file=sys.stderr)


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
    from stackcost.render.catalog import info_table
    from stackcost.render.table import width

    for part in info_table(info, width()):
        _console().print(part)


@catalog_app.command("search")
def catalog_search(text: str, service: Annotated[str | None, typer.Option(help="service or offer code")] = None,
                   term: Annotated[str | None, typer.Option(help="OnDemand, Reserved, SavingsPlan, Spot")] = None,
                   fmt: Annotated[CatalogFmt, typer.Option("--format")] = CatalogFmt.table,
                   region: str = REGION) -> None:
    """Find prices by usage type, instance type, SKU or description."""
    from stackcost.render import catalog as render
    from stackcost.render.table import width

    found = _load_catalog(region).search(text, service_code=service, term=term)
    if fmt is CatalogFmt.json:
        print(render.search_json(found, text))
        return
    if not found:
        from stackcost.safeio import echo

        raise UserError(f"no price matches {echo(text)}" + (f" in {echo(service)}" if service else ""))
    _console().print(render.search_table(found, text, width()))


@catalog_app.command("build")
def catalog_build(src: Annotated[Path, typer.Option("--from", help="directory in the shared/aws-prices layout")],
                  region: Annotated[str | None, typer.Option(help="one region (or global); default: every region "
                                                                   "the input has, and global")] = None,
                  out: Annotated[Path | None, typer.Option(help="pricing_data root (default: the shipped one)")]
                  = None) -> None:
    """Regenerate pricing_data/ from AWS price files (reproducible, byte for byte)."""
    from stackcost.catalog.build import build, build_all
    from stackcost.paths import pricing_data_root

    if not src.is_dir():
        raise UserError(f"--from {src}: not a directory")
    root = out or pricing_data_root()
    targets = [build(src, region, root)] if region else build_all(src, root)
    for target in targets:
        manifest = json.loads((target / "manifest.json").read_text())
        total = sum(o["records"] for o in manifest["offers"].values())
        print(f"built {target}: {total} records in {len(manifest['offers'])} offers, "
              f"{len(manifest['gaps'])} gaps listed")


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
    from stackcost.render.catalog import refresh_table

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

def _estimate(config: Path | None, env: str, region: str | None = None, strict: bool = False) -> Estimate:
    from stackcost.estimate import estimate

    stack, _, catalog = _stack_and_catalog(config, region)
    return estimate(stack, env, catalog, strict=strict)


class Currency(StrEnum):
    USD = "USD"
    KRW = "KRW"


CurrencyOpt = Annotated[Currency, typer.Option("--currency", help="KRW adds won amounts (needs --krw-rate and "
                                               "--krw-date: there is no built-in rate)")]
KrwRateOpt = Annotated[float | None, typer.Option("--krw-rate", help="KRW per USD")]
KrwDateOpt = Annotated[str, typer.Option("--krw-date", help="the date of that rate (YYYY-MM-DD)")]
VatOpt = Annotated[float | None, typer.Option("--vat", help="VAT rate shown on its own line (Korea: 0.10)")]
WideOpt = Annotated[bool, typer.Option("--wide", help="every column, whatever the terminal width")]


def _view(currency: Currency, krw_rate: float | None, krw_date: str, vat: float | None) -> View | None:
    """The currency view the options ask for; a KRW amount always carries its rate and date."""
    import math
    from datetime import date
    from decimal import Decimal

    from stackcost.money import View

    if vat is not None and not (math.isfinite(vat) and 0 <= vat < 1):
        raise UserError(f"--vat {vat}: a rate from 0 to 1 (0.10 for 10 %)")
    rate = None
    if currency is Currency.KRW or krw_rate is not None:
        if krw_rate is None or not krw_date:
            raise UserError("--currency KRW needs --krw-rate and --krw-date (no exchange rate is built in)")
        if not (math.isfinite(krw_rate) and 0 < krw_rate < 1_000_000):
            raise UserError(f"--krw-rate {krw_rate}: a positive number of won per dollar")
        try:
            date.fromisoformat(krw_date)
        except ValueError:
            raise UserError(f"--krw-date {krw_date!r}: expected YYYY-MM-DD") from None
        rate = Decimal(str(krw_rate))
    if rate is None and vat is None:
        return None
    return View(krw_rate=rate, krw_date=krw_date, vat=Decimal(str(vat)) if vat is not None else None)


def _print(parts: list[Any]) -> None:
    con = _console()
    for part in parts:
        con.print(part)


@app.command("estimate")
def estimate_cmd(environment: Annotated[str, typer.Argument(help="environment name")] = "production",
                 config: ConfigOpt = None,
                 fmt: Annotated[Fmt, typer.Option("--format")] = Fmt.table,
                 all_envs: Annotated[bool, typer.Option("--all", help="every environment side by side, and the "
                                                                   "total of all")] = False,
                 region: RegionOpt = None, strict: StrictOpt = False, currency: CurrencyOpt = Currency.USD,
                 krw_rate: KrwRateOpt = None, krw_date: KrwDateOpt = "", vat: VatOpt = None,
                 wide: WideOpt = False) -> None:
    """What an environment costs per month, line by line, with every price traced to the catalog."""
    from stackcost.estimate import estimate
    from stackcost.render import estimate as render
    from stackcost.render.table import width

    view = _view(currency, krw_rate, krw_date, vat)
    stack, source, catalog = _stack_and_catalog(config, region)
    names = list(stack.environments) if all_envs else [environment]
    from stackcost.sizing.load import empty_environments

    for name in empty_environments(stack):
        if name in names:
            print(f"warning: environment {name!r} in {source} names no service; it costs $0", file=sys.stderr)
    ests = [estimate(stack, name, catalog, strict=strict) for name in names]
    _warn_unpriced(ests)
    if fmt is Fmt.json:
        print(render.many_json(ests, view) if all_envs else render.to_json(ests[0], view))
    elif fmt is Fmt.csv:
        print(render.to_csv(ests), end="")
    elif fmt is Fmt.markdown:
        print(render.many_markdown(ests, view) if all_envs else render.to_markdown(ests[0], view), end="")
    elif all_envs:
        _print(render.side_by_side(ests, width(), view))
    else:
        _print([*render.to_table(ests[0], width(), view, wide), f"Config: {source}."])


@app.command("compare")
def compare_cmd(a: Annotated[str, typer.Argument(help="environment, or a config file")],
                b: Annotated[str, typer.Argument(help="environment, or a config file")],
                config: ConfigOpt = None,
                environment: Annotated[str, typer.Option("--env", help="environment when comparing two files")]
                = "production", region: RegionOpt = None, strict: StrictOpt = False,
                fmt: Annotated[Fmt, typer.Option("--format", help="table, json or markdown")] = Fmt.table,
                currency: CurrencyOpt = Currency.USD, krw_rate: KrwRateOpt = None, krw_date: KrwDateOpt = "",
                vat: VatOpt = None) -> None:
    """The difference per line between two environments (or two config files), lines paired by a stable key."""
    from stackcost.render import estimate as render
    from stackcost.render.table import width

    view = _view(currency, krw_rate, krw_date, vat)

    def one(x: str) -> tuple[Estimate, str]:
        p = Path(x)
        if p.suffix in (".yaml", ".yml"):
            return _estimate(p, environment, region, strict), f"{p.name}:{environment}"
        return _estimate(config, x, region, strict), x

    (ea, la), (eb, lb) = one(a), one(b)
    _warn_unpriced([ea, eb])
    if fmt is Fmt.json:
        print(render.compare_json(ea, eb, la, lb, view))
    elif fmt is Fmt.markdown:
        print(render.compare_markdown(ea, eb, la, lb), end="")
    elif fmt is Fmt.csv:
        raise UserError("cost compare: --format table, json or markdown")
    else:
        _print(render.compare_table(ea, eb, la, lb, width(), view))


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
                 = None, region: RegionOpt = None, currency: CurrencyOpt = Currency.USD,
                 krw_rate: KrwRateOpt = None, krw_date: KrwDateOpt = "", vat: VatOpt = None,
                 wide: WideOpt = False) -> None:
    """Reserved instances, Savings Plans, Spot, Graviton and other options against on-demand, and a plan."""
    from stackcost.optimize import optimize
    from stackcost.render import optimize as out
    from stackcost.render.table import width

    view = _view(currency, krw_rate, krw_date, vat)
    stack, _, catalog = _stack_and_catalog(config, region)
    result = optimize(stack, environment, catalog, risk=risk.value, usage_csv=usage_csv,
                      usage_service=usage_service)
    if fmt is Fmt.json:
        print(out.optimize_json(result))
    elif fmt is Fmt.csv:
        print(out.optimize_csv(result), end="")
    elif fmt is Fmt.markdown:
        print(out.optimize_markdown(result), end="")
    else:
        _console().print(out.optimize_tables(result, width(), view, wide))


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
    region: RegionOpt = None,
    actuals_format: Annotated[str, typer.Option(help="auto (from the columns) | focus | cur2 | cur-legacy | csv")]
    = "auto",
    tag_key: Annotated[str, typer.Option(help="the environment tag (Environment, user:Environment, env, ...)")]
    = "Environment",
    athena_workgroup: Annotated[str | None, typer.Option(help="Athena workgroup for --actuals athena:DB.TABLE")]
    = None,
    athena_output: Annotated[str | None, typer.Option(help="s3:// location for Athena query results")] = None,
    suggest_calibration: Annotated[bool, typer.Option(help="print the `cost calibrate` command that applies what "
                                                           "the bill observed")] = False,
) -> None:
    """Monthly budget report: estimate vs budget vs actual spend, as Markdown, HTML or Excel."""
    from datetime import date
    from decimal import Decimal

    from stackcost.report.run import make_report

    try:
        day = date.fromisoformat(as_of) if as_of else date.today()
        date.fromisoformat(f"{month}-01")
    except ValueError:
        raise UserError(f"--month {month!r} / --as-of {as_of!r}: expected YYYY-MM and YYYY-MM-DD") from None
    if krw_rate is not None and krw_rate <= 0:
        raise UserError("--krw-rate must be > 0")
    from stackcost.util import ensure_dir

    stack, _, catalog = _stack_and_catalog(config, region)
    ensure_dir(out)  # an unwritable --out is one line before the report is built
    path = make_report(stack, catalog, month=month, env=env, actuals=actuals, fmt=fmt.value,
                       out=out, as_of=day, vat=Decimal(str(vat)),
                       krw=(Decimal(str(krw_rate)), krw_date) if krw_rate else None,
                       budget=Decimal(str(budget)) if budget is not None else None,
                       thresholds=(Decimal(str(threshold_pct)), Decimal(str(threshold_usd))), risk=risk.value,
                       profile=profile, actuals_format=actuals_format, tag_key=tag_key,
                       athena={"workgroup": athena_workgroup, "output": athena_output})
    print(f"wrote {path}")
    if suggest_calibration:
        from stackcost.report.billing.suggest import commands

        for line in commands(path.with_suffix(".json"), actuals=actuals, config=config, tag_key=tag_key):
            print(line)


@import_app.command("terraform")
def import_terraform_cmd(
    directory: Annotated[Path | None, typer.Argument(help="the Terraform root (local, terraform-init and "
                                                          "downloaded modules are followed)")] = None,
    plan: Annotated[Path | None, typer.Option("--plan", help="a plan as JSON (terraform show -json plan.out)")] = None,
    var_file: Annotated[list[Path] | None, typer.Option("--var-file", help="a .tfvars file (repeatable)")] = None,
    region: Annotated[str | None, typer.Option("--region", help="AWS region (default: the aws provider's)")] = None,
    env: Annotated[str | None, typer.Option("--env", help="environment name (default: var.environment)")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="sizing YAML to write")] = Path("cost.yaml"),
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing output file")] = False,
    fmt: Annotated[str, typer.Option("--format", help="text | json")] = "text",
    workspace: Annotated[str | None, typer.Option("--workspace", help="terraform.workspace (default: default)")] = None,
    download_modules: Annotated[bool, typer.Option("--download-modules", help="fetch registry and git modules "
                                                   "into a cache (off: no network)")] = False,
    module_cache: Annotated[Path | None, typer.Option("--module-cache", help="cache directory for "
                                                      "--download-modules")] = None,
) -> None:
    """Write a sizing YAML for one environment from Terraform code or a plan; every resource ends priced, free,
    unsupported, not-created or unresolved (with the reason), nothing is guessed."""
    from stackcost.terraform.report import run_import

    if fmt not in ("text", "json"):
        raise UserError(f"--format {fmt}: use text or json")
    print(run_import(directory, plan, list(var_file or []), region, env, output, force, fmt, workspace,
                     download_modules, module_cache), end="")


class DiffFmt(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"


@app.command("diff")
def diff_cmd(
    base: Annotated[str, typer.Argument(help="sizing YAML, Terraform directory, plan JSON, or a git ref (main, "
                                             "origin/main)")],
    head: Annotated[str, typer.Argument(help="the same kinds as BASE (HEAD: the current commit)")],
    env: Annotated[str, typer.Option("--env", help="an environment, or all")] = "all",
    fmt: Annotated[DiffFmt, typer.Option("--format")] = DiffFmt.text,
    path: Annotated[str | None, typer.Option("--path", help="where the Terraform or YAML is inside each side's "
                                                           "tree (git refs and directories)")] = None,
    var_file: Annotated[list[str] | None, typer.Option("--var-file", help=".tfvars inside each side's tree "
                                                                          "(repeatable)")] = None,
    fail_above: Annotated[str | None, typer.Option("--fail-above", help="exit 3 when the monthly increase is "
                                                                         "above USD (50) or PCT (10%)")] = None,
) -> None:
    """What a change does to the monthly bill: paired lines, the band of the delta, commitments affected."""
    from stackcost.diff.render import render
    from stackcost.diff.run import parse_gate, run_diff

    gate = parse_gate(fail_above) if fail_above is not None else None
    result = run_diff(base, head, env=env, path=path, var_files=var_file or [])
    over = gate is not None and gate.exceeded(result)
    message = gate.message(result) if gate is not None and over else ""
    print(render(result, fmt.value, message), end="")
    if over:
        print(f"cost diff: {message}", file=sys.stderr)
        raise typer.Exit(3)


@app.command("calibrate")
def calibrate_cmd(
    actuals: Annotated[str, typer.Option(help="billing source as for `cost report`: cur:PATH (FOCUS, CUR 2.0, legacy "
                                              "CUR), s3://..., athena:DB.TABLE, ce")],
    month: Annotated[str, typer.Option(help="YYYY-MM: the (last) month observed")],
    env: Annotated[str, typer.Option("--env", help="the environment to calibrate")],
    months: Annotated[int, typer.Option(help="months in the window, ending with --month")] = 1,
    config: ConfigOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="the calibrated sizing YAML")] = None,
    force: Annotated[bool, typer.Option(help="overwrite an existing output file")] = False,
    fmt: Annotated[str, typer.Option("--format", help="text | json")] = "text",
    actuals_format: Annotated[str, typer.Option(help="auto | focus | cur2 | cur-legacy")] = "auto",
    tag_key: Annotated[str, typer.Option(help="the environment tag")] = "Environment",
    athena_workgroup: Annotated[str | None, typer.Option(help="Athena workgroup")] = None,
    athena_output: Annotated[str | None, typer.Option(help="s3:// location for Athena results")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS profile")] = None,
    service_tag: Annotated[str, typer.Option(help="the tag naming a usage's ECS service (several Fargate services)")]
    = "aws:ecs:serviceName",
) -> None:
    """Re-derive an environment's sizing from what the account actually used: a sizing YAML and what changed."""
    from stackcost.calibrate.command import run
    from stackcost.sizing.load import load_stack, resolve_config

    if fmt not in ("text", "json"):
        raise UserError(f"--format {fmt!r}: expected text or json")
    stack, _ = load_stack(resolve_config(config))
    _, out = run(stack, _load_catalog(stack.region), actuals=actuals, month=month, months=months, env=env,
                 output=output, force=force, fmt=fmt, actuals_format=actuals_format, tag_key=tag_key,
                 athena={"workgroup": athena_workgroup, "output": athena_output}, profile=profile,
                 service_tag=service_tag)
    print(out)


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
