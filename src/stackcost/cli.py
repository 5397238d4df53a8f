"""`cost`: a thin shell over the library. Every error the user can cause ends in one line and exit code 2.

The arguments are parsed with the standard library's argparse: a cold `cost estimate` spends its time on the
sizing and the prices, not on building a command-line framework (typer and click cost ~250 ms here at start-up).
Each command is a function below; `_parser()` declares its arguments, and `main()` calls it with them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from stackcost.errors import StackcostError, UserError
from stackcost.regions import DEFAULT_REGION as REGION  # `cost catalog` default; estimates take the config's

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Literal

    from rich.progress import TaskID

    from stackcost.catalog import Catalog
    from stackcost.estimate import Estimate
    from stackcost.money import View
    from stackcost.sizing.model import Stack

FORMATS = ("table", "json", "csv", "markdown")
COMMANDS = ("estimate", "compare", "optimize", "report", "diff", "calibrate", "init", "catalog", "import")
RISKS = ("low", "medium", "high")


class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """Shows a default only where there is one to show."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False, "", argparse.SUPPRESS) or action.required:
            return action.help
        return super()._get_help_string(action)


class UsageError(UserError):
    """A malformed command line (unknown option, bad choice, missing argument): one line that names the command."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)  # `--form` is a typo, not `--format`: options are spelt out
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        # argparse prints the usage block and exits; one line (and the way to the help) is what every other
        # mistake gets here.
        if len(message) > 300:  # argparse repeats the argument as given: bound what one line echoes
            message = message[:300] + "…"
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _number(lo: float | None = None, hi: float | None = None, *, above: float | None = None) \
        -> Callable[[str], float]:
    """A numeric option's parser: finite (`float()` lets `nan` and `inf` through) and within range."""

    def check(text: str) -> float:
        import math

        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{value} is not a finite number")
        if lo is not None and value < lo:
            raise argparse.ArgumentTypeError(f"{value} is below {lo:g}")
        if hi is not None and value > hi:
            raise argparse.ArgumentTypeError(f"{value} is above {hi:g}")
        if above is not None and value <= above:
            raise argparse.ArgumentTypeError(f"{value} must be more than {above:g}")
        return value

    check.__name__ = "number"  # argparse names the type in "invalid number value"
    return check


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None


def _yyyy_mm(value: str) -> str:
    return _date_option(value, False)


def _yyyy_mm_dd(value: str) -> str:
    return _date_option(value, True)


def _date_option(value: str, day: bool) -> str:
    """YYYY-MM (or YYYY-MM-DD) within 2000-2999: later years overflow date arithmetic (9999-12 + 1 month). One
    `error:` line (a UserError), like the other report inputs."""
    import re
    from datetime import date

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


def _load_catalog(region: str = REGION) -> Catalog:
    from stackcost.catalog import Catalog

    return Catalog.load(region)


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

def catalog_info(fmt: str, region: str) -> None:
    """Per offer: records, publication dates, sources, age; checksums verified."""
    from stackcost.catalog.info import catalog_info as info_of

    info = info_of(_load_catalog(region))
    if fmt == "json":
        print(json.dumps(info, indent=2, ensure_ascii=False))
        return
    from stackcost.render.catalog import info_table
    from stackcost.render.table import show, width

    show(info_table(info, width()))


def catalog_search(text: str, service: str | None, term: str | None, fmt: str, region: str) -> None:
    """Find prices by usage type, instance type, SKU or description."""
    from stackcost.render import catalog as render
    from stackcost.render.table import show, width

    found = _load_catalog(region).search(text, service_code=service, term=term)
    if fmt == "json":
        print(render.search_json(found, text))
        return
    if not found:
        from stackcost.safeio import echo

        raise UserError(f"no price matches {echo(text)}" + (f" in {echo(service)}" if service else ""))
    show([render.search_table(found, text, width())])


def catalog_build(src: Path, region: str | None, out: Path | None) -> None:
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


def catalog_refresh(source: str, region: str, service: list[str] | None, endpoint: str | None,
                    profile: str | None, spot_url: str | None, dry_run: bool, force: bool, max_loss: float) -> None:
    """Update the cached catalog from the AWS Price List; prints a diff, installs atomically."""
    from stackcost.catalog.refresh.run import refresh
    from stackcost.render.catalog import refresh_table
    from stackcost.render.table import show, width

    progress_cb, stop = _progress()
    try:
        result = refresh(source, region=region, services=service, endpoint=endpoint, profile=profile,
                         spot_url=spot_url, dry_run=dry_run, force=force, max_loss=max_loss, progress=progress_cb,
                         notice=lambda m: print(f"note: {m}", file=sys.stderr, flush=True))
    finally:
        stop()
    show(refresh_table(result.diff, width()))
    if result.installed:
        print(f"installed {result.target}: {result.records} records (manifest lists where and when each offer "
              "was refreshed)")
    else:
        print("dry run: nothing was written")


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


def _view(currency: str, krw_rate: float | None, krw_date: str, vat: float | None) -> View | None:
    """The currency view the options ask for; a KRW amount always carries its rate and date."""
    import math
    from datetime import date
    from decimal import Decimal

    from stackcost.money import View

    if vat is not None and not (math.isfinite(vat) and 0 <= vat < 1):
        raise UserError(f"--vat {vat}: a rate from 0 to 1 (0.10 for 10 %)")
    rate = None
    if currency == "KRW" or krw_rate is not None:
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


def estimate_cmd(environment: str, config: Path | None, fmt: str, all_envs: bool, region: str | None,
                 strict: bool, currency: str, krw_rate: float | None, krw_date: str, vat: float | None,
                 wide: bool) -> None:
    """What an environment costs per month, line by line, with every price traced to the catalog."""
    from stackcost.estimate import estimate
    from stackcost.render import estimate as render

    view = _view(currency, krw_rate, krw_date, vat)
    stack, source, catalog = _stack_and_catalog(config, region)
    names = list(stack.environments) if all_envs else [environment]
    from stackcost.sizing.load import empty_environments

    for name in empty_environments(stack):
        if name in names:
            print(f"warning: environment {name!r} in {source} names no service; it costs $0", file=sys.stderr)
    ests = [estimate(stack, name, catalog, strict=strict) for name in names]
    _warn_unpriced(ests)
    if fmt == "json":
        print(render.many_json(ests, view) if all_envs else render.to_json(ests[0], view))
    elif fmt == "csv":
        print(render.to_csv(ests), end="")
    elif fmt == "markdown":
        print(render.many_markdown(ests, view) if all_envs else render.to_markdown(ests[0], view), end="")
    else:
        from stackcost.render.table import show, width

        if all_envs:
            show(render.side_by_side(ests, width(), view))
        else:
            show([*render.to_table(ests[0], width(), view, wide), f"Config: {source}."])


def compare_cmd(a: str, b: str, config: Path | None, environment: str, region: str | None, strict: bool, fmt: str,
                currency: str, krw_rate: float | None, krw_date: str, vat: float | None) -> None:
    """The difference per line between two environments (or two config files), lines paired by a stable key."""
    from stackcost.render import estimate as render

    view = _view(currency, krw_rate, krw_date, vat)

    def one(x: str) -> tuple[Estimate, str]:
        p = Path(x)
        if p.suffix in (".yaml", ".yml"):
            return _estimate(p, environment, region, strict), f"{p.name}:{environment}"
        return _estimate(config, x, region, strict), x

    (ea, la), (eb, lb) = one(a), one(b)
    _warn_unpriced([ea, eb])
    if fmt == "json":
        print(render.compare_json(ea, eb, la, lb, view))
    elif fmt == "markdown":
        print(render.compare_markdown(ea, eb, la, lb), end="")
    elif fmt == "csv":
        raise UserError("cost compare: --format table, json or markdown")
    else:
        from stackcost.render.table import show, width

        show(render.compare_table(ea, eb, la, lb, width(), view))


def optimize_cmd(environment: str, config: Path | None, risk: Literal["low", "medium", "high"], fmt: str,
                 usage_csv: Path | None, usage_service: str | None, region: str | None, currency: str,
                 krw_rate: float | None, krw_date: str, vat: float | None, wide: bool) -> None:
    """Reserved instances, Savings Plans, Spot, Graviton and other options against on-demand, and a plan."""
    from stackcost.optimize import optimize
    from stackcost.render import optimize as out

    view = _view(currency, krw_rate, krw_date, vat)
    stack, _, catalog = _stack_and_catalog(config, region)
    result = optimize(stack, environment, catalog, risk=risk, usage_csv=usage_csv, usage_service=usage_service)
    if fmt == "json":
        print(out.optimize_json(result))
    elif fmt == "csv":
        print(out.optimize_csv(result), end="")
    elif fmt == "markdown":
        print(out.optimize_markdown(result), end="")
    else:
        from stackcost.render.table import show, width

        show(out.optimize_tables(result, width(), view, wide))


def report_cmd(month: str, env: str, budget: float | None, actuals: str | None, fmt: str, out: Path,
               config: Path | None, as_of: str | None, vat: float, krw_rate: float | None, krw_date: str,
               threshold_pct: float, threshold_usd: float, risk: str, profile: str | None, region: str | None,
               actuals_format: str, tag_key: str, athena_workgroup: str | None, athena_output: str | None,
               suggest_calibration: bool) -> None:
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
    path = make_report(stack, catalog, month=month, env=env, actuals=actuals, fmt=fmt,
                       out=out, as_of=day, vat=Decimal(str(vat)),
                       krw=(Decimal(str(krw_rate)), krw_date) if krw_rate else None,
                       budget=Decimal(str(budget)) if budget is not None else None,
                       thresholds=(Decimal(str(threshold_pct)), Decimal(str(threshold_usd))), risk=risk,
                       profile=profile, actuals_format=actuals_format, tag_key=tag_key,
                       athena={"workgroup": athena_workgroup, "output": athena_output})
    print(f"wrote {path}")
    if suggest_calibration:
        from stackcost.report.billing.suggest import commands

        for line in commands(path.with_suffix(".json"), actuals=actuals, config=config, tag_key=tag_key):
            print(line)


def import_terraform_cmd(directory: Path | None, plan: Path | None, var_file: list[Path] | None,
                         region: str | None, env: str | None, output: Path, force: bool, fmt: str,
                         workspace: str | None, download_modules: bool, module_cache: Path | None) -> None:
    """Write a sizing YAML for one environment from Terraform code or a plan; every resource ends priced, free,
    unsupported, not-created or unresolved (with the reason), nothing is guessed."""
    from stackcost.terraform.report import run_import

    print(run_import(directory, plan, list(var_file or []), region, env, output, force, fmt, workspace,
                     download_modules, module_cache), end="")


def diff_cmd(base: str, head: str, env: str, fmt: str, path: str | None, var_file: list[str] | None,
             fail_above: str | None) -> None:
    """What a change does to the monthly bill: paired lines, the band of the delta, commitments affected."""
    from stackcost.diff.render import render
    from stackcost.diff.run import parse_gate, run_diff

    gate = parse_gate(fail_above) if fail_above is not None else None
    result = run_diff(base, head, env=env, path=path, var_files=var_file or [])
    over = gate is not None and gate.exceeded(result)
    message = gate.message(result) if gate is not None and over else ""
    print(render(result, fmt, message), end="")
    if over:
        print(f"cost diff: {message}", file=sys.stderr)
        sys.exit(3)


def calibrate_cmd(actuals: str, month: str, env: str, months: int, config: Path | None, output: Path | None,
                  force: bool, fmt: str, actuals_format: str, tag_key: str, athena_workgroup: str | None,
                  athena_output: str | None, profile: str | None, service_tag: str) -> None:
    """Re-derive an environment's sizing from what the account actually used: a sizing YAML and what changed."""
    from stackcost.calibrate.command import run
    from stackcost.sizing.load import load_stack, resolve_config

    stack, _ = load_stack(resolve_config(config))
    _, out = run(stack, _load_catalog(stack.region), actuals=actuals, month=month, months=months, env=env,
                 output=output, force=force, fmt=fmt, actuals_format=actuals_format, tag_key=tag_key,
                 athena={"workgroup": athena_workgroup, "output": athena_output}, profile=profile,
                 service_tag=service_tag)
    print(out)


def init_cmd(path: Path) -> None:
    """Write the embedded hospital-ERP sizing to ./cost.yaml to edit (never overwrites)."""
    from stackcost.sizing.load import preset_text
    from stackcost.util import write_atomic

    if path.exists():
        raise UserError(f"{path} already exists; not overwriting it (remove it first)")
    write_atomic(path, preset_text())
    print(f"wrote {path}: edit it, then run `cost estimate production`")


# -- the command line -----------------------------------------------------------------------------------------

def _command(group: Any, name: str, func: Callable[..., None] | None, help_text: str) -> _Parser:
    """A command (`func` runs it) or a group of commands (None: alone, it shows its help)."""
    doc = (func.__doc__ or "").strip() if func else help_text
    sub: _Parser = group.add_parser(name, help=help_text, description=doc)
    sub.set_defaults(_func=func, _sub=sub)
    return sub


def _config(p: _Parser) -> None:
    p.add_argument("--config", "-c", type=Path, default=None,
                   help="sizing YAML (default: ./cost.yaml, else the embedded hospital-ERP preset)")


def _region(p: _Parser) -> None:
    p.add_argument("--region", default=None, help="price in this region (default: the config's `region:`, else "
                                                  f"{REGION})")


def _strict(p: _Parser) -> None:
    p.add_argument("--strict", action="store_true", help="a line without a price in the catalog is an error "
                                                         "(default: shown as unpriced and left out of the totals)")


def _money(p: _Parser) -> None:
    p.add_argument("--currency", choices=("USD", "KRW"), default="USD",
                   help="KRW adds won amounts (needs --krw-rate and --krw-date: there is no built-in rate)")
    p.add_argument("--krw-rate", type=_float, default=None, help="KRW per USD")
    p.add_argument("--krw-date", default="", help="the date of that rate (YYYY-MM-DD)")
    p.add_argument("--vat", type=_float, default=None, help="VAT rate shown on its own line (Korea: 0.10)")


def _wide(p: _Parser) -> None:
    p.add_argument("--wide", action="store_true", help="every column, whatever the terminal width")


def _fmt(p: _Parser, choices: Sequence[str], default: str, dest: str = "fmt") -> None:
    p.add_argument("--format", dest=dest, choices=choices, default=default, help="output format")


def _parser(only: str | None = None) -> _Parser:
    """The command line; with `only`, just that command's part (building every command's options is ~10 ms of
    a cold start here, and a command needs its own)."""
    top = _Parser(prog="cost", description="AWS cost estimates for the hospital ERP stack in Seoul, from a cached "
                                           "AWS price catalog.")
    cmds = top.add_subparsers(title="commands", metavar="COMMAND")

    if only in (None, "estimate"):
        p = _command(cmds, "estimate", estimate_cmd, "what an environment costs per month, line by line")
        p.add_argument("environment", nargs="?", default="production", help="environment name")
        _config(p)
        _fmt(p, FORMATS, "table")
        p.add_argument("--all", dest="all_envs", action="store_true",
                       help="every environment side by side, and the total of all")
        _region(p)
        _strict(p)
        _money(p)
        _wide(p)

    if only in (None, "compare"):
        p = _command(cmds, "compare", compare_cmd, "the difference per line between two environments or configs")
        p.add_argument("a", help="environment, or a config file")
        p.add_argument("b", help="environment, or a config file")
        _config(p)
        p.add_argument("--env", dest="environment", default="production",
                       help="environment when comparing two files")
        _region(p)
        _strict(p)
        _fmt(p, FORMATS, "table")
        _money(p)

    if only in (None, "optimize"):
        p = _command(cmds, "optimize", optimize_cmd, "commitments and other options against on-demand, and a plan")
        p.add_argument("environment", nargs="?", default="production", help="environment name")
        _config(p)
        p.add_argument("--risk", choices=RISKS, default="medium",
                       help="low: 1-year commitments on production; medium: + 3-year terms and low-disruption changes; "
                            "high: + Spot, schedules, ARM")
        _fmt(p, FORMATS, "table")
        p.add_argument("--usage-csv", type=Path, default=None,
                       help="hourly usage CSV with a 'tasks' column, for Savings Plan sizing")
        p.add_argument("--usage-service", default=None, help="the Fargate service the CSV describes")
        _region(p)
        _money(p)
        _wide(p)

    if only in (None, "report"):
        p = _command(cmds, "report", report_cmd, "monthly budget report: estimate vs budget vs actual spend")
        p.add_argument("--month", type=_yyyy_mm, required=True, help="YYYY-MM")
        p.add_argument("--env", default="all", help="an environment, or all")
        p.add_argument("--budget", type=_number(above=0), default=None,
                       help="budget USD per environment (else the config's budget_usd, else AWS Budgets)")
        p.add_argument("--actuals", default=None, help="ce | cur:PATH | csv:PATH (none: estimate and budget only)")
        _fmt(p, ("md", "html", "xlsx"), "html")
        p.add_argument("--out", type=Path, default=Path("reports"),
                       help="directory for the report (and the JSON the next month compares to)")
        _config(p)
        p.add_argument("--as-of", type=_yyyy_mm_dd, default=None, help="YYYY-MM-DD (default: today)")
        p.add_argument("--vat", type=_number(0, 1), default=0.10,
                       help="VAT rate shown on its own line (Korean billing: 0.10)")
        p.add_argument("--krw-rate", type=_number(above=0, hi=1e6), default=None, help="KRW per USD for the KRW column")
        p.add_argument("--krw-date", default="", help="the date of that rate")
        p.add_argument("--threshold-pct", type=_number(0, 1000), default=10.0)
        p.add_argument("--threshold-usd", type=_number(0, 1e9), default=10.0)
        p.add_argument("--risk", choices=RISKS, default="medium", help="risk level of the recommended plan shown")
        p.add_argument("--profile", default=None, help="AWS profile for --actuals ce")
        _region(p)
        p.add_argument("--actuals-format", default="auto",
                       help="auto (from the columns) | focus | cur2 | cur-legacy | csv")
        p.add_argument("--tag-key", default="Environment",
                       help="the environment tag (Environment, user:Environment, env, ...)")
        p.add_argument("--athena-workgroup", default=None, help="Athena workgroup for --actuals athena:DB.TABLE")
        p.add_argument("--athena-output", default=None, help="s3:// location for Athena query results")
        p.add_argument("--suggest-calibration", action=argparse.BooleanOptionalAction, default=False,
                       help="print the `cost calibrate` command that applies what the bill observed")

    if only in (None, "diff"):
        p = _command(cmds, "diff", diff_cmd, "what a change does to the monthly bill")
        p.add_argument("base", help="sizing YAML, Terraform directory, plan JSON, or a git ref (main, origin/main)")
        p.add_argument("head", help="the same kinds as BASE (HEAD: the current commit)")
        p.add_argument("--env", default="all", help="an environment, or all")
        _fmt(p, ("text", "json", "markdown", "github"), "text")
        p.add_argument("--path", default=None,
                       help="where the Terraform or YAML is inside each side's tree (git refs and directories)")
        p.add_argument("--var-file", action="append", default=None, help=".tfvars inside each side's tree (repeatable)")
        p.add_argument("--fail-above", default=None,
                       help="exit 3 when the monthly increase is above USD (50) or PCT (10%%)")

    if only in (None, "calibrate"):
        p = _command(cmds, "calibrate", calibrate_cmd, "re-derive an environment's sizing from the bill")
        p.add_argument("--actuals", required=True, help="billing source as for `cost report`: cur:PATH (FOCUS, CUR "
                                                        "2.0, legacy CUR), s3://..., athena:DB.TABLE, ce")
        p.add_argument("--month", required=True, help="YYYY-MM: the (last) month observed")
        p.add_argument("--env", required=True, help="the environment to calibrate")
        p.add_argument("--months", type=_int, default=1, help="months in the window, ending with --month")
        _config(p)
        p.add_argument("--output", "-o", type=Path, default=None, help="the calibrated sizing YAML")
        p.add_argument("--force", action=argparse.BooleanOptionalAction, default=False,
                       help="overwrite an existing output file")
        _fmt(p, ("text", "json"), "text")
        p.add_argument("--actuals-format", default="auto", help="auto | focus | cur2 | cur-legacy")
        p.add_argument("--tag-key", default="Environment", help="the environment tag")
        p.add_argument("--athena-workgroup", default=None, help="Athena workgroup")
        p.add_argument("--athena-output", default=None, help="s3:// location for Athena results")
        p.add_argument("--profile", default=None, help="AWS profile")
        p.add_argument("--service-tag", default="aws:ecs:serviceName",
                       help="the tag naming a usage's ECS service (several Fargate services)")

    if only in (None, "init"):
        p = _command(cmds, "init", init_cmd, "write the embedded sizing to ./cost.yaml to edit")
        p.add_argument("path", nargs="?", type=Path, default=Path("cost.yaml"))

    if only in (None, "catalog"):
        p = _command(cmds, "catalog", None, "the cached AWS price catalog")
        group = p.add_subparsers(title="commands", metavar="COMMAND")
        q = _command(group, "info", catalog_info, "per offer: records, dates, sources, age")
        _fmt(q, ("table", "json"), "table")
        q.add_argument("--region", default=REGION)
        q = _command(group, "search", catalog_search, "find prices by usage type, instance type, SKU or description")
        q.add_argument("text")
        q.add_argument("--service", default=None, help="service or offer code")
        q.add_argument("--term", default=None, help="OnDemand, Reserved, SavingsPlan, Spot")
        _fmt(q, ("table", "json"), "table")
        q.add_argument("--region", default=REGION)
        q = _command(group, "build", catalog_build, "regenerate pricing_data/ from AWS price files")
        q.add_argument("--from", dest="src", type=Path, required=True, help="directory in the shared/aws-prices layout")
        q.add_argument("--region", default=None,
                       help="one region (or global); default: every region the input has, and global")
        q.add_argument("--out", type=Path, default=None, help="pricing_data root (default: the shipped one)")
        q = _command(group, "refresh", catalog_refresh, "update the cached catalog from the AWS Price List")
        q.add_argument("--source", choices=("api", "bulk"), default="bulk",
                       help="api: boto3 Pricing API (credentials); bulk: public price files")
        q.add_argument("--region", default=REGION)
        q.add_argument("--service", action="append", default=None,
                       help="refresh only this offer (repeatable), e.g. AmazonECS; FargateSpotFeed is the Spot feed")
        q.add_argument("--endpoint", default=None, help="bulk price list host or mirror (default: AWS's public "
                                                        "https://pricing.us-east-1.amazonaws.com)")
        q.add_argument("--profile", default=None, help="AWS profile for --source api")
        q.add_argument("--spot-url", default=None, help="Fargate Spot price feed URL")
        q.add_argument("--dry-run", action="store_true", help="show the diff, write nothing")
        q.add_argument("--force", action="store_true", help="install even if a service lost records")
        q.add_argument("--max-loss", type=_number(0, 1), default=0.2,
                       help="refuse if an offer loses more than this share of records (0-1)")

    if only in (None, "import"):
        p = _command(cmds, "import", None, "build a sizing YAML from infrastructure code")
        group = p.add_subparsers(title="commands", metavar="COMMAND")
        q = _command(group, "terraform", import_terraform_cmd, "a sizing YAML from Terraform code or a plan")
        q.add_argument("directory", nargs="?", type=Path, default=None,
                       help="the Terraform root (local, terraform-init and downloaded modules are followed)")
        q.add_argument("--plan", type=Path, default=None, help="a plan as JSON (terraform show -json plan.out)")
        q.add_argument("--var-file", type=Path, action="append", default=None, help="a .tfvars file (repeatable)")
        q.add_argument("--region", default=None, help="AWS region (default: the aws provider's)")
        q.add_argument("--env", default=None, help="environment name (default: var.environment)")
        q.add_argument("-o", "--output", type=Path, default=Path("cost.yaml"), help="sizing YAML to write")
        q.add_argument("--force", action="store_true", help="overwrite an existing output file")
        _fmt(q, ("text", "json"), "text")
        q.add_argument("--workspace", default=None, help="terraform.workspace (default: default)")
        q.add_argument("--download-modules", action="store_true",
                       help="fetch registry and git modules into a cache (off: no network)")
        q.add_argument("--module-cache", type=Path, default=None, help="cache directory for --download-modules")
    return top


def run(argv: list[str]) -> None:
    """Parse `argv` (without the program name) and run the command; errors raise, as in the library."""
    parser = _parser(argv[0] if argv and argv[0] in COMMANDS else None)
    parsed, extra = parser.parse_known_args(argv)
    ns = vars(parsed)
    func = ns.pop("_func", None)
    sub = ns.pop("_sub", None)
    if extra:  # said by the command they were given to, not by `cost`
        (sub or parser).error(f"unrecognized arguments: {' '.join(extra)}")
    if func is None:
        # No command (`cost`, `cost catalog`): the help, and exit 2 as before: a script that ran this got no result.
        (sub or parser).print_help()
        raise SystemExit(2)
    func(**ns)


def main() -> None:
    import _signal  # type: ignore[import-not-found]  # see _entry: signal.py only wraps it in enums
    import contextlib

    # The console script's entry (stackcost._entry) held Ctrl-C during start-up; from here on it is Python's
    # KeyboardInterrupt again, so interrupted writes clean up (atomic_target, write_catalog) before the line
    # below. An interrupt can also land inside a C extension's import (pydantic_core's Rust turns it into an
    # ImportError or a PanicException); the flag says it was Ctrl-C whatever it became.
    interrupted = []

    def on_sigint(signum: int, frame: object) -> None:
        interrupted.append(signum)
        raise KeyboardInterrupt

    # pydantic_core (Rust, pyo3) imports the `datetime` C API when it loads and panics, printing a Rust
    # backtrace, if that import is interrupted; imported here, under the entry's quiet handler, it is a lookup.
    import datetime  # noqa: F401

    before = _signal.getsignal(_signal.SIGINT)  # the entry's quiet exit-130 handler, or a test runner's
    with contextlib.suppress(ValueError):  # not the main thread (tests call main() from workers): not ours to set
        _signal.signal(_signal.SIGINT, on_sigint)
    real = sys.stdout
    out = _Stdout(real) if real is not None else None  # None when the process was started with stdout closed
    sys.stdout = out
    try:
        run(sys.argv[1:])
        if out is not None:
            out.flush()  # a full disk or a closed pipe shows here, inside the handlers below, not at exit
    except SystemExit as done:  # help, a usage error, `diff`'s exit 3: what they wrote must still get out
        if out is not None:
            try:
                out.flush()
            except OSError as exc:
                said = _exit_code(exc, False, out)  # the one line (none for a closed pipe)
                sys.exit(done.code or said)
        raise
    except BaseException as exc:  # every ending gets one line; only SystemExit passes as it is
        sys.exit(_exit_code(exc, bool(interrupted), out))
    finally:
        sys.stdout = real
        # What remains is the exit: a KeyboardInterrupt now would escape every handler (Python then kills
        # itself with SIGINT). The handler from before takes it: the entry's says `interrupted`, exits 130.
        with contextlib.suppress(ValueError):
            _signal.signal(_signal.SIGINT, before)


class _Stdout:
    """Standard output, remembering the error writing to it raised: a full disk there is the output's problem
    (one line, exit 2), while the same error from a file the library writes is not."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.failed: OSError | None = None

    def write(self, text: str) -> int:
        try:
            return int(self.inner.write(text))
        except OSError as exc:
            self.failed = exc
            raise

    def flush(self) -> None:
        try:
            self.inner.flush()
        except OSError as exc:
            self.failed = exc
            raise

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, ...
        return getattr(self.inner, name)


def _exit_code(exc: BaseException, interrupted: bool, out: _Stdout | None = None) -> int:
    """What the user sees for an exception that ended the command (one line on stderr), and the exit code."""
    if interrupted or isinstance(exc, KeyboardInterrupt):
        print("interrupted", file=sys.stderr)
        return 130
    if isinstance(exc, StackcostError):
        # One line per problem (a config can have several), never a traceback.
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"error: {line}", file=sys.stderr)
        return exc.exit_code
    if out is not None and exc is out.failed:
        import contextlib
        import os

        with contextlib.suppress(OSError, ValueError):  # what is still buffered has nowhere to go
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.inner.fileno())
        if isinstance(exc, BrokenPipeError):  # `cost ... | head` closing early is not an error
            return 0
        print(f"error: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return _internal_error(exc)  # a bug: one line for the user, the traceback in a file for the report


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
