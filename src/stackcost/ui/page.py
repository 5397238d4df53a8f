"""The what-if page. Layout only: every number comes from the library (estimate, optimize, scenario).

The total sits in a sticky bar at the top of the page so it stays in view while knobs are edited (on a phone the
knobs come first and run long). One `Money` formats every amount, so the chosen currency reaches every metric,
table and chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from stackcost.catalog import Catalog
from stackcost.errors import StackcostError
from stackcost.estimate import Estimate, EstimateError, estimate
from stackcost.regions import DEFAULT_REGION
from stackcost.render import estimate as render_estimate
from stackcost.report.freshness import Freshness, freshness
from stackcost.sizing import fargate_sizes
from stackcost.sizing.catalog_check import check_environment
from stackcost.sizing.load import PRESET, ConfigError, parse_stack, preset_text
from stackcost.sizing.model import Environment, Stack
from stackcost.ui import charts
from stackcost.ui.scenario import (
    MAX_UPLOAD_BYTES,
    Knob,
    ScenarioError,
    apply,
    apply_valid,
    changed,
    fmt,
    knobs,
    scenario_yaml,
    stack_with,
)
from stackcost.util import plain

RESERVED_PARAMS = {"env", "risk", "cur", "krw", "krw_date", "cum"}
RISKS = ["low", "medium", "high"]

# The total bar sticks under Streamlit's toolbar; its background hides the knobs scrolling beneath it.
CSS = """<style>
[data-testid="stMainBlockContainer"]{padding-top:3.2rem}
[data-testid="stLayoutWrapper"]:has(> .st-key-total_bar){position:sticky;top:3.75rem;z-index:990;background:#fff;
  flex-shrink:0}
.st-key-total_bar > *{flex-shrink:0}
.st-key-total_bar{background:#fff;padding:.4rem 0 .3rem;border-bottom:1px solid #e6e6e6;gap:.1rem}
.st-key-total_bar [data-testid="stMetricValue"]{font-size:1.9rem}
@media (max-width:640px){[data-testid="stMainBlockContainer"]{padding-top:2.6rem}
  [data-testid="stLayoutWrapper"]:has(> .st-key-total_bar){top:3.2rem}
  .st-key-total_bar [data-testid="stMetricValue"]{font-size:1.5rem}}
</style>"""


@dataclass(frozen=True)
class Money:
    """The chosen currency: USD, or KRW at a rate the user gave (with its date)."""

    rate: Decimal | None = None
    rate_date: str = ""

    @property
    def code(self) -> str:
        return "KRW" if self.rate else "USD"

    @property
    def factor(self) -> float:
        return float(self.rate) if self.rate else 1.0

    def __call__(self, usd: Decimal | float | str | None) -> str:
        if usd is None or usd == "":
            return ""
        v = Decimal(str(usd))
        if not v.is_finite():  # pandas' NaN for an option the catalog has no rate for
            return ""
        sign = "-" if v < 0 else ""
        if self.rate is None:
            return f"{sign}${abs(v):,.2f}"
        return f"{sign}₩{abs(v) * self.rate:,.0f}"

    def note(self) -> str:
        return f"KRW at ₩{self.rate:,} per USD (rate of {self.rate_date})." if self.rate else "Amounts in USD."


@st.cache_resource
def load_catalog(region: str = DEFAULT_REGION) -> Catalog:
    """The catalog of the region the sizing names (one cached per region)."""
    return Catalog.load(region)


@st.cache_resource
def preset_stack() -> Stack:
    return parse_stack(preset_text(), f"preset {PRESET}")


@st.cache_resource(ttl=3600)
def catalog_freshness() -> Freshness:
    return freshness(load_catalog())


def _config() -> tuple[Stack | None, str]:
    """The stack chosen in the sidebar, or None with the problem shown in the page."""
    choices = ["Embedded hospital-ERP preset"]
    if Path("cost.yaml").is_file():
        choices.append("./cost.yaml")
    choices.append("Upload or paste a YAML")
    which = st.sidebar.radio("Sizing file", choices, key="config_choice")
    if which == choices[0]:
        return preset_stack(), "preset"
    if which == "./cost.yaml":
        text, source = Path("cost.yaml").read_text(encoding="utf-8", errors="replace"), "./cost.yaml"
    else:
        up = st.sidebar.file_uploader("Sizing YAML", type=["yaml", "yml"], key="upload")
        pasted = st.sidebar.text_area("…or paste YAML", key="pasted", height=120)
        if up is not None:
            data = up.getvalue()
            if len(data) > MAX_UPLOAD_BYTES:
                st.error(f"{up.name} is {len(data):,} bytes; a sizing file is a few KB (limit "
                         f"{MAX_UPLOAD_BYTES:,}).")
                return None, ""
            text, source = data.decode("utf-8", errors="replace"), up.name
        elif pasted.strip():
            text, source = pasted, "pasted YAML"
        else:
            st.info("Upload a sizing YAML or paste one in the sidebar; `cost init` writes an example.")
            return None, ""
    try:
        return parse_stack(text, source), source
    except ConfigError as exc:
        st.error("This config cannot be used:\n\n" + "\n".join(f"- {line}" for line in exc.lines))
        return None, ""


def _reset_knobs() -> None:
    for key in [k for k in st.session_state if str(k).startswith(("k:", "v:"))]:
        del st.session_state[key]


def _memory_choices(k: Knob) -> list[str]:
    """Memory sizes valid with the vCPU chosen right now (its widget runs first), not the config's vCPU."""
    vcpu = st.session_state.get("k:" + k.path.removesuffix("memory_gb") + "vcpu")
    try:
        return [plain(m) for m in fargate_sizes.memory_options(Decimal(str(vcpu)))] or k.choices
    except (InvalidOperation, TypeError):
        return k.choices


def _widget(k: Knob, present: set[str]) -> Any:
    """One knob. Its first value comes from the knob (the config or the link); later ones from the widget's state.
    `present` holds the state's keys, read once per run (each membership test on st.session_state scans it)."""
    key = f"k:{k.path}"
    first = key not in present
    initial = float(k.value) if k.kind in ("decimal", "band") else k.value
    if f"v:{k.path}" in present:  # the value it had before its section was closed
        initial = st.session_state[f"v:{k.path}"]
    # The key alone identifies a number input or checkbox, so `value` only matters on its first run.
    if k.kind == "bool":
        return st.checkbox(k.label, value=bool(initial), key=key, help=k.help)
    if k.kind == "choice":
        choices = _memory_choices(k) if k.path.endswith(".memory_gb") and k.path.startswith("fargate.") \
            else k.choices
        cur = initial if first else st.session_state[key]
        if cur not in choices and choices:
            # The nearest valid size (vCPU changed under it): the page never offers only invalid sizes.
            try:
                cur = min(choices, key=lambda c: (abs(Decimal(c) - Decimal(str(cur))), Decimal(c)))
            except InvalidOperation:
                cur = choices[0]
            st.session_state[key] = cur
            return st.selectbox(k.label, choices, key=key, help=k.help)
        if first:
            return st.selectbox(k.label, choices, index=choices.index(cur) if cur in choices else 0, key=key,
                                help=k.help)
        return st.selectbox(k.label, choices, key=key, help=k.help)
    if k.kind == "int":
        return st.number_input(k.label, min_value=0, value=int(initial), step=1, key=key, help=k.help)
    top = 1.0 if k.path.endswith(("spot_share", "alias_query_share")) else None
    return st.number_input(k.label, min_value=0.0, max_value=top, value=float(initial), step=_step(k.value),
                           format="%g", key=key, help=k.help)


def _step(value: Any) -> float:
    v = float(value or 0)
    return 1.0 if v >= 10 or v == 0 else 0.1 if v >= 1 else 0.01


def _by_service(est: Estimate, money: Money) -> pd.DataFrame:
    return pd.DataFrame([{"service": s, "monthly": float(v) * money.factor} for s, v in est.by_service().items()])


def _link_settings(params: dict[str, str], envs: list[str], problems: list[str]) -> None:
    """On the first run, the link's page settings (environment, currency, rate, risk) become the widgets' values;
    every unusable one is reported and the rest are kept."""
    env = params.get("env")
    if env is not None:
        if env in envs:
            st.session_state["env"] = env
        else:
            problems.append(f"env={env}: no such environment (the config has {', '.join(envs)})")
    cur = params.get("cur")
    if cur is not None:
        if cur in ("USD", "KRW"):
            st.session_state["cur"] = cur
        else:
            problems.append(f"cur={cur}: the currency is USD or KRW")
    krw = params.get("krw")
    if krw is not None:
        try:
            value = Decimal(krw)
            if not value.is_finite() or value <= 0:
                raise InvalidOperation
            st.session_state["krw"] = float(value)
        except InvalidOperation:
            problems.append(f"krw={krw}: the rate is a number of won per US dollar, above 0")
    when = params.get("krw_date")
    if when is not None:
        try:
            st.session_state["krw_date"] = date.fromisoformat(when)
        except ValueError:
            problems.append(f"krw_date={when}: expected a date as YYYY-MM-DD")
    risk = params.get("risk")
    if risk is not None:
        if risk in RISKS:
            st.session_state["keep_risk"] = risk
        else:
            problems.append(f"risk={risk}: one of {', '.join(RISKS)}")


def _currency() -> Money:
    currency = st.sidebar.radio("Currency", ["USD", "KRW"], horizontal=True, key="cur")
    if currency != "KRW":
        return Money()
    krw = st.sidebar.number_input("KRW per USD", min_value=0.0, value=None, step=1.0, key="krw",
                                  help="Enter the rate you use (e.g. the Bank of Korea's); no rate is built in.")
    if "krw_date" not in st.session_state:
        st.session_state["krw_date"] = date.today()
    when = st.sidebar.date_input("Rate date", key="krw_date")
    if not krw:
        st.sidebar.warning("Enter a KRW rate to show won; amounts stay in USD until then.")
        return Money()
    st.sidebar.caption(f"₩{krw:,.2f} per USD, rate of {when.isoformat()}")
    return Money(Decimal(str(krw)), when.isoformat())


def _prices_note(fresh: Freshness) -> None:
    st.sidebar.markdown("**About the prices**")
    st.sidebar.caption(fresh.headline())
    with st.sidebar.expander("Stale price lists and sources"):
        st.caption(fresh.stale_line())
        st.caption(fresh.source_line())
        st.caption(f"Refresh with `{fresh.refresh_command}` (needs internet access), then reload this page.")


def main() -> None:
    st.set_page_config(page_title="stackcost — what if?", layout="wide")
    st.html(CSS)
    stack, source = _config()
    if stack is None:
        return
    catalog = load_catalog(stack.region)
    envs = list(stack.environments)
    params = {k: v for k, v in st.query_params.to_dict().items()}
    first = "base_id" not in st.session_state
    link_problems: list[str] = []
    if first:
        _link_settings(params, envs, link_problems)
    if st.session_state.get("env") not in envs:
        st.session_state["env"] = "production" if "production" in envs else envs[0]
    env_name = st.sidebar.selectbox("Environment", envs, key="env")
    base_id = (source, env_name, id(stack) if source != "preset" else 0)
    if st.session_state.get("base_id") != base_id:
        _reset_knobs()
        st.session_state["base_id"] = base_id
    base_env = stack.environments[env_name]
    # A link reproduces a scenario: on the first run its overrides come from the query parameters; each bad one
    # is reported and the good ones are kept.
    start_env = base_env
    if first:
        url_overrides = {k: v for k, v in params.items() if k not in RESERVED_PARAMS}

        def check(e: Environment) -> None:
            check_environment(env_name, e, catalog)

        start_env, _, bad = apply_valid(base_env, url_overrides, check)
        link_problems += bad
    money = _currency()
    if st.sidebar.button("Reset to the config"):
        _reset_knobs()
        st.query_params.clear()
        st.rerun()
    _prices_note(catalog_freshness())

    bar = st.container(key="total_bar")
    if link_problems:
        st.warning("Some settings in the link could not be used; the others are applied:\n\n"
                   + "\n".join(f"- {x}" for x in link_problems))
    left, right = st.columns([1, 2], gap="large")
    values: dict[str, Any] = {}
    present = {str(k) for k in st.session_state.keys()}  # noqa: SIM118 (one scan of the state, not one per knob)
    with left:
        st.subheader(f"Sizing: {env_name}")
        groups: dict[str, list[Knob]] = {}
        for k in knobs(start_env, catalog):
            groups.setdefault(k.section, []).append(k)
        for section, items in groups.items():
            # A closed section's knobs are not drawn (62 widgets cost more than the rest of the page); their
            # values live on under "v:" keys, because Streamlit drops the state of a widget it did not draw.
            skey = f"sec:{section}"
            exp = st.expander(section, expanded=section.startswith("Fargate"), key=skey, on_change="rerun")
            if exp.open:
                with exp:
                    for k in items:
                        values[k.path] = _widget(k, present)
                        st.session_state[f"v:{k.path}"] = values[k.path]
            else:
                for k in items:
                    values[k.path] = st.session_state.get(f"v:{k.path}", k.value)
    overrides = changed(base_env, values)
    try:
        env = apply(base_env, overrides)
        scenario = stack_with(stack, env_name, env)
        est = estimate(scenario, env_name, catalog)
        base_est = _base_estimate(stack, source, env_name, catalog)
    except (ScenarioError, EstimateError, ConfigError) as exc:
        with bar:
            st.error("This combination cannot be priced:\n\n" + "\n".join(f"- {x}" for x in str(exc).splitlines()))
        return
    with bar:
        _total_bar(est, base_est, env_name, money)
    with right:
        _results(est, base_est, scenario, env_name, catalog, money, overrides)
    # Last, so the URL has what this run chose (the risk radio runs inside the results).
    page: dict[str, str] = {"env": env_name, **overrides}
    if money.rate:
        page |= {"cur": "KRW", "krw": plain(money.rate), "krw_date": money.rate_date}
    elif st.session_state.get("cur") == "KRW":
        page["cur"] = "KRW"
    if st.session_state.get("keep_risk", "medium") != "medium":
        page["risk"] = str(st.session_state["keep_risk"])
    if dict(st.query_params.to_dict()) != page:
        st.query_params.from_dict(page)


def _base_estimate(stack: Stack, source: str, env_name: str, catalog: Catalog) -> Estimate:
    return estimate(stack, env_name, catalog)


def _total_bar(est: Estimate, base: Estimate, env_name: str, money: Money) -> None:
    delta = est.total - base.total
    pct = (delta / base.total * 100) if base.total else Decimal(0)
    # An ASCII minus so Streamlit draws a down arrow for a cheaper scenario (green: costs are better lower).
    st.metric("Total per month", money(est.total),
              delta=f"{'+' if delta > 0 else '-'}{money(abs(delta))} ({pct:+.1f}%) against the config"
              if delta else None, delta_color="inverse",
              help=f"{env_name}, at typical usage, before VAT. {money.note()}")
    st.markdown(f"**{env_name}** · per year **{money(est.total * 12)}** · range "
                f"**{money(est.total_low)} – {money(est.total_high)}** (low to high usage)"
                + (f" · {money.note()}" if money.rate else ""))


LINE_COLUMNS = {"component": "Item", "monthly_usd": "Per month", "service": "Service", "quantity": "Quantity",
                "unit": "Unit", "unit_price_usd": "Unit price (USD)", "assumption": "Assumption"}


def _results(est: Estimate, base: Estimate, scenario: Stack, env_name: str, catalog: Catalog, money: Money,
             overrides: dict[str, str]) -> None:
    fresh = catalog_freshness()
    if fresh.stale:
        st.warning(f"{len(fresh.stale)} of {len(fresh.offers)} price lists are over 12 months old (the oldest "
                   f"{fresh.oldest_age_days} days). Refresh with `{fresh.refresh_command}`; details in the sidebar.")
    if overrides:
        st.caption("Changed from the config: " + ", ".join(f"{k} = {v}" for k, v in overrides.items()))

    # Only the open tab runs (charts and the optimizer cost more than the rest of the page together).
    tab_items, tab_charts, tab_compare, tab_commit, tab_export = st.tabs(
        ["Line items", "Charts", "Compare", "Commitments", "Export"], key="results_tab", on_change="rerun")
    if tab_items.open is not False:
        with tab_items:
            _line_items(est, money)
    if tab_charts.open:
        with tab_charts:
            _charts(est, base, scenario, env_name, catalog, money)
    if tab_compare.open:
        with tab_compare:
            _compare(est, base, env_name, catalog, money)
    if tab_commit.open:
        with tab_commit:
            _commitments(scenario, env_name, money)
    if tab_export.open:
        with tab_export:
            _export(est, scenario, env_name)


TABLE_CSS = """<style>
.sc-table{border-collapse:collapse;width:100%;font-size:.85rem}
.sc-table th,.sc-table td{border-bottom:1px solid #e6e6e6;padding:.3rem .45rem;text-align:left;vertical-align:top}
.sc-table th{font-weight:600;background:#fafafa;position:sticky;top:0}
.sc-table td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.sc-wrap{max-height:32rem;overflow:auto;border:1px solid #e6e6e6;border-radius:.5rem}
</style>"""


def _html_table(frame: pd.DataFrame, numeric: set[str]) -> str:
    """A frame as an escaped HTML table; `numeric` columns right-aligned and never wrapped."""
    from html import escape

    head = "".join(f'<th{" class=n" if c in numeric else ""}>{escape(str(c))}</th>' for c in frame.columns)
    rows = "".join("<tr>" + "".join(f'<td{" class=n" if c in numeric else ""}>{escape(str(v))}</td>'
                                    for c, v in zip(frame.columns, r, strict=True)) + "</tr>"
                   for r in frame.itertuples(index=False))
    return f'{TABLE_CSS}<div class="sc-wrap"><table class="sc-table"><tr>{head}</tr>{rows}</table></div>'


def _line_items(est: Estimate, money: Money) -> None:
    frame = est.line_items[list(LINE_COLUMNS)].copy()
    frame["monthly_usd"] = frame["monthly_usd"].map(money)
    frame["quantity"] = frame["quantity"].map(lambda v: "" if v is None else f"{Decimal(str(v)).normalize():,f}")
    frame["unit_price_usd"] = frame["unit_price_usd"].map(lambda v: "" if v is None else fmt(v))
    amount = f"Per month ({money.code})"
    frame = frame.fillna("").rename(columns={**LINE_COLUMNS, "monthly_usd": amount})
    # Plain HTML: it draws in a fraction of the time of st.dataframe or st.table (measured in bench/ui.py) and wraps
    # long text, so on a phone the item and its amount stay side by side.
    st.html(_html_table(frame, numeric={amount, "Quantity", "Unit price (USD)"}))
    for a in est.assumptions:
        st.caption(f"Assumption: {a}")


def _charts(est: Estimate, base: Estimate, scenario: Stack, env_name: str, catalog: Catalog, money: Money) -> None:
    st.altair_chart(charts.by_service(_by_service(est, money), money.code), width="stretch")
    both = pd.concat([_by_service(base, money).assign(which="config"),
                      _by_service(est, money).assign(which="this scenario")])
    st.altair_chart(charts.scenario_vs_baseline(both, money.code), width="stretch")
    rows = []
    for name in scenario.environments:
        e = est if name == env_name else estimate(scenario, name, catalog)
        rows += [{"environment": name, "service": s, "monthly": float(v) * money.factor}
                 for s, v in e.by_service().items()]
    st.altair_chart(charts.environments(pd.DataFrame(rows), money.code), width="stretch")


def _compare(est: Estimate, base: Estimate, env_name: str, catalog: Catalog, money: Money) -> None:
    """This scenario against the baseline, or against a second sizing YAML: lines paired by the same stable key as
    `cost compare` and `cost diff` (a class that changed is one changed line)."""
    other = st.file_uploader("Compare with another sizing YAML (else: the config as loaded, before the knobs)",
                             type=["yaml", "yml"], key="compare_upload")
    label = "baseline"
    against = base
    if other is not None:
        try:
            stack = parse_stack(other.getvalue().decode("utf-8", errors="replace"), other.name)
            if env_name not in stack.environments:
                raise ConfigError([f"{other.name} has no environment {env_name!r}"])
            against, label = estimate(stack, env_name, load_catalog(stack.region)), other.name
        except StackcostError as exc:
            st.error(str(exc))
            return
    rows = []
    for _, a, b in render_estimate.compare_pairs(against, est):
        before = None if a is None or a.unpriced else a.monthly_usd
        after = None if b is None or b.unpriced else b.monthly_usd
        if before == after and a is not None and b is not None and a.component == b.component:
            continue
        line = b or a
        assert line is not None
        what = f"{a.component} → {b.component}" if a and b and a.component != b.component else line.component
        diff = (after or Decimal(0)) - (before or Decimal(0))
        rows.append([line.service, what, money(before) if before is not None else "—",
                     money(after) if after is not None else "—", ("+" if diff > 0 else "") + money(diff)])
    change = est.total - against.total
    st.metric(f"This scenario against {label}", money(est.total),
              delta=("+" if change > 0 else "") + money(change), delta_color="inverse")
    if not rows:
        st.caption("No line differs.")
        return
    cols = ["Service", "Line", label, "This scenario", "Difference"]
    st.html(_html_table(pd.DataFrame(rows, columns=cols), numeric={label, "This scenario", "Difference"}))


def _export(est: Estimate, scenario: Stack, env_name: str) -> None:
    # The files are made when a button is clicked, not on every run.
    st.download_button("Scenario as YAML (loads in the CLI)",
                       lambda: scenario_yaml(scenario, env_name, scenario.environments[env_name]),
                       file_name=f"scenario-{env_name}.yaml", mime="text/yaml")
    st.download_button("Estimate as CSV (USD)", lambda: render_estimate.to_csv([est]),
                       file_name=f"estimate-{env_name}.csv", mime="text/csv")
    st.download_button("Estimate as Markdown (USD)", lambda: render_estimate.to_markdown(est),
                       file_name=f"estimate-{env_name}.md", mime="text/markdown")
    st.caption("The page's address holds this scenario and currency: share the link to reproduce it.")


@st.cache_data(max_entries=32, show_spinner=False)
def _optimize(stack_json: str, env_name: str, risk: str) -> dict[str, Any]:
    from stackcost.optimize import optimize
    from stackcost.optimize.options import cumulative_costs

    stack = Stack.model_validate_json(stack_json)
    result = optimize(stack, env_name, load_catalog(stack.region), risk=risk)  # type: ignore[arg-type]
    sizing = [{"service": s.service, "indicative": s.indicative, "curve": s.curve,
               "commitment": float(s.commitment_per_hour)} for s in result.sizing]
    return {"json": result.to_json(), "cumulative": pd.DataFrame(cumulative_costs(result.options)), "sizing": sizing}


OPTION_COLUMNS = {"service": "Service", "option": "Option", "upfront_usd": "Upfront",
                  "monthly_recurring_usd": "Monthly fee", "effective_monthly_usd": "Effective per month",
                  "monthly_saving_usd": "Saving per month", "saving_pct": "Saving %",
                  "break_even_month": "Break-even month", "available": "Priced", "indicative": "Indicative price",
                  "applicable": "Applies", "risk": "Risk", "constraint": "Conditions"}
_MONEY_COLUMNS = ("upfront_usd", "monthly_recurring_usd", "effective_monthly_usd", "monthly_saving_usd")


def options_frame(options: list[dict[str, Any]], money: Money) -> pd.DataFrame:
    """The optimize options as the page shows them: readable headers, amounts in the chosen currency, yes/no for
    flags and blanks (never "None") where the catalog has no rate."""
    frame = pd.DataFrame(options)
    for col in OPTION_COLUMNS:
        if col not in frame:
            frame[col] = None
    frame = frame[list(OPTION_COLUMNS)].astype(object)
    for col in _MONEY_COLUMNS:
        frame[col] = frame[col].map(money)
    frame["saving_pct"] = frame["saving_pct"].map(lambda v: "" if pd.isna(v) else f"{v}%")
    frame["break_even_month"] = frame["break_even_month"].map(lambda v: "" if pd.isna(v) else str(int(v)))
    for col in ("available", "indicative", "applicable"):
        frame[col] = frame[col].map(lambda v: "" if pd.isna(v) else "yes" if v else "no")
    frame = frame.where(frame.notna(), "")
    return frame.rename(columns={c: (f"{t} ({money.code})" if c in _MONEY_COLUMNS else t)
                                 for c, t in OPTION_COLUMNS.items()})


def _commitments(scenario: Stack, env_name: str, money: Money) -> None:
    # The radio is drawn only while its tab is open and Streamlit drops a widget's state when it is not drawn, so
    # the choice is kept under a plain key (and in the URL).
    keep = st.session_state.get("keep_risk", "medium")
    risk = st.radio("Risk", RISKS, index=RISKS.index(keep) if keep in RISKS else 1, horizontal=True, key="risk",
                    help="low: 1-year commitments on production; medium: + 3-year terms and low-disruption "
                         "changes; high: + Spot, schedules, arm64")
    risk = risk or "medium"
    st.session_state["keep_risk"] = risk
    data = _optimize(scenario.model_dump_json(), env_name, risk)
    res = data["json"]
    plan = res["plan"]
    saving = Decimal(plan["monthly_saving_usd"])
    st.metric("Recommended plan", f"{money(plan['planned_monthly_usd'])} per month",
              delta=f"saves {money(saving)} a month ({plan['saving_pct']}%)" if saving else None,
              delta_color="normal", delta_arrow="off")
    st.caption(f"Risk {risk}: {plan['rule']}. Upfront: {money(plan['upfront_usd'])}.")
    if plan["steps"]:
        steps = pd.DataFrame(plan["steps"])[["option", "service", "monthly_saving_usd"]]
        steps["monthly_saving_usd"] = steps["monthly_saving_usd"].map(money)
        st.dataframe(steps.rename(columns={"option": "Step", "service": "Service",
                                           "monthly_saving_usd": f"Saving per month ({money.code})"}),
                     hide_index=True, width="stretch")
    st.dataframe(options_frame(res["options"], money), hide_index=True, width="stretch")
    cum = data["cumulative"]
    if len(cum):
        commit = cum[cum["option"].str.contains("Reserved|Savings Plan")]
        services = sorted({o.split(":")[0] for o in commit["option"]})
        if services:
            pick = st.selectbox("36-month view for", services, key="cum_service")
            one = commit[commit["option"].str.startswith(pick + ":")].copy()
            one["option"] = one["option"].str.removeprefix(pick + ": ")
            for col in ("cumulative_usd", "on_demand_cumulative_usd"):
                one[col] = one[col].astype(float) * money.factor
            indicative = {o["service"] for o in res["options"] if o.get("indicative")}
            title = f"{pick} (INDICATIVE: another region's discount)" if pick in indicative else pick
            st.altair_chart(charts.cumulative(one, money.code, title), width="stretch")
    for s in data["sizing"]:
        mark = " (INDICATIVE: another region's discount, no Seoul rate in the catalog)" if s["indicative"] else ""
        st.caption(f"Savings Plan sizing for {s['service']}{mark}: best commitment ${s['commitment']:.4f} per hour "
                   "(AWS sells commitments in USD per hour)")
        curve = s["curve"].assign(monthly=lambda f: f["monthly_usd"].astype(float) * money.factor)
        st.altair_chart(charts.sizing_curve(curve, money.code, s["service"]), width="stretch")
    for n in res["notes"]:
        st.caption(n)
