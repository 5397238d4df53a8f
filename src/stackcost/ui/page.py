"""The what-if page. Layout only: every number comes from the library (estimate, optimize, scenario)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from stackcost.catalog import Catalog
from stackcost.estimate import Estimate, EstimateError, estimate
from stackcost.render import estimate as render_estimate
from stackcost.sizing.catalog_check import check_environment
from stackcost.sizing.load import PRESET, ConfigError, parse_stack, preset_text
from stackcost.sizing.model import Environment, Stack
from stackcost.ui import charts
from stackcost.ui.scenario import (
    MAX_UPLOAD_BYTES,
    Knob,
    ScenarioError,
    apply,
    changed,
    fmt,
    knobs,
    scenario_yaml,
    stack_with,
)

RESERVED_PARAMS = {"env", "risk", "cur", "krw", "krw_date"}


@st.cache_resource
def load_catalog() -> Catalog:
    return Catalog.load("ap-northeast-2")


@st.cache_resource
def preset_stack() -> Stack:
    return parse_stack(preset_text(), f"preset {PRESET}")


def _config() -> tuple[Stack | None, str]:
    """The stack chosen in the sidebar, or None with the problem shown in the page."""
    choices = ["Embedded hospital-ERP preset"]
    if Path("cost.yaml").is_file():
        choices.append("./cost.yaml")
    choices.append("Upload or paste a YAML")
    which = st.sidebar.radio("Config", choices, key="config_choice")
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
    for key in [k for k in st.session_state if str(k).startswith("k:")]:
        del st.session_state[key]


def _widget(k: Knob, env: Environment) -> Any:
    key = f"k:{k.path}"
    if key not in st.session_state:
        st.session_state[key] = _initial(k)
    if k.kind == "bool":
        return st.checkbox(k.label, key=key)
    if k.kind == "choice":
        if st.session_state[key] not in k.choices:
            st.session_state[key] = k.choices[0] if k.choices else st.session_state[key]
        return st.selectbox(k.label, k.choices, key=key)
    if k.kind == "int":
        return st.number_input(k.label, min_value=0, step=1, key=key)
    return st.number_input(k.label, min_value=0.0, step=_step(k.value), format="%g", key=key)


def _initial(k: Knob) -> Any:
    if k.kind in ("decimal", "band"):
        return float(k.value)
    return k.value


def _step(value: Any) -> float:
    v = float(value or 0)
    return 1.0 if v >= 10 or v == 0 else 0.1 if v >= 1 else 0.01


def _money(value: Decimal, rate: Decimal | None) -> str:
    if rate is None:
        return f"${value:,.2f}"
    return f"₩{(value * rate):,.0f}"


def _by_service(est: Estimate) -> pd.DataFrame:
    return pd.DataFrame([{"service": s, "monthly": float(v)} for s, v in est.by_service().items()])


def main() -> None:
    st.set_page_config(page_title="stackcost — what if?", layout="wide")
    catalog = load_catalog()
    stack, source = _config()
    if stack is None:
        return
    params = st.query_params
    envs = list(stack.environments)
    want_env = params.get("env", "production")
    env_name = st.sidebar.selectbox("Environment", envs, index=envs.index(want_env) if want_env in envs else 0,
                                    key="env")
    base_id = (source, env_name, id(stack) if source != "preset" else 0)
    first = "base_id" not in st.session_state
    if st.session_state.get("base_id") != base_id:
        _reset_knobs()
        st.session_state["base_id"] = base_id
    base_env = stack.environments[env_name]
    # A link reproduces a scenario: on the first run its overrides come from the query parameters.
    if first:
        url_overrides = {k: v for k, v in params.to_dict().items() if k not in RESERVED_PARAMS}
        try:
            start_env = apply(base_env, url_overrides)
            check_environment(env_name, start_env, catalog)
        except (ScenarioError, ConfigError) as exc:
            st.warning("Some settings in the link could not be used, so the config's values are shown:\n\n"
                       + "\n".join(f"- {x}" for x in str(exc).splitlines()))
            start_env = base_env
    else:
        start_env = base_env

    currency = st.sidebar.radio("Currency", ["USD", "KRW"], horizontal=True, key="cur")
    rate: Decimal | None = None
    if currency == "KRW":
        krw = st.sidebar.number_input("KRW per USD", min_value=0.0, value=None, step=1.0, key="krw",
                                      help="Enter the rate you use (e.g. the Bank of Korea's); no rate is built in.")
        when = st.sidebar.date_input("rate date", value=date.today(), key="krw_date")
        if krw:
            rate = Decimal(str(krw))
            st.sidebar.caption(f"₩{krw:,.2f} per USD, rate of {when.isoformat()}")
        else:
            st.sidebar.warning("Enter a KRW rate to show won; amounts stay in USD until then.")
    money = "KRW" if rate else "USD"
    if st.sidebar.button("Reset to the config"):
        _reset_knobs()
        st.query_params.clear()
        st.rerun()

    left, right = st.columns([1, 2], gap="large")
    values: dict[str, Any] = {}
    with left:
        st.subheader(f"Knobs: {env_name}")
        groups: dict[str, list[Knob]] = {}
        for k in knobs(start_env, catalog):
            groups.setdefault(k.section, []).append(k)
        for section, items in groups.items():
            with st.expander(section, expanded=section.startswith("Fargate")):
                for k in items:
                    values[k.path] = _widget(k, start_env)
    overrides = changed(base_env, values)
    try:
        env = apply(base_env, overrides)
        scenario = stack_with(stack, env_name, env)
        est = estimate(scenario, env_name, catalog)
        base_est = estimate(stack, env_name, catalog)
    except (ScenarioError, EstimateError, ConfigError) as exc:
        with right:
            st.error("This combination cannot be priced:\n\n" + "\n".join(f"- {x}" for x in str(exc).splitlines()))
        return
    st.query_params.from_dict({"env": env_name, **overrides})

    with right:
        _results(est, base_est, scenario, stack, env_name, catalog, rate, money, overrides)


def _results(est: Estimate, base: Estimate, scenario: Stack, stack: Stack, env_name: str, catalog: Catalog,
             rate: Decimal | None, money: str, overrides: dict[str, str]) -> None:
    delta = est.total - base.total
    pct = (delta / base.total * 100) if base.total else Decimal(0)
    st.subheader(f"{env_name}: what it costs")
    c1, c2, c3 = st.columns([1, 1, 1.6])
    c1.metric("Total per month", _money(est.total, rate),
              delta=f"{'+' if delta >= 0 else '−'}{_money(abs(delta), rate)} ({pct:+.1f}%)" if delta else None,
              delta_color="inverse")
    c2.metric("Per year", _money(est.total * 12, rate))
    c3.metric("Range (low – high)", f"{_money(est.total_low, rate)} – {_money(est.total_high, rate)}")
    age = catalog.age_days()
    note = f"Prices: AWS list prices for {est.region}, published {est.published_min} to {est.published_max}."
    if age is not None and age > 365:
        st.warning(note + f" The newest is {age} days old: refresh with `cost catalog refresh`.")
    else:
        st.caption(note)
    if overrides:
        st.caption("Changed from the config: " + ", ".join(f"{k} = {v}" for k, v in overrides.items()))

    tab_items, tab_charts, tab_commit, tab_export = st.tabs(["Line items", "Charts", "Commitments", "Export"])
    with tab_items:
        frame = est.line_items[["service", "component", "monthly_usd", "quantity", "unit", "unit_price_usd",
                                "assumption"]].copy()
        frame["monthly_usd"] = frame["monthly_usd"].map(lambda v: f"{v:,.2f}")
        for col in ("quantity", "unit_price_usd"):
            frame[col] = frame[col].map(fmt)
        st.dataframe(frame, hide_index=True, width="stretch")
        for a in est.assumptions:
            st.caption(f"assumption: {a}")
    with tab_charts:
        factor = float(rate) if rate else 1.0
        scen = _by_service(est).assign(monthly=lambda f: f["monthly"] * factor)
        st.altair_chart(charts.by_service(scen, money), width="stretch")
        both = pd.concat([_by_service(base).assign(which="baseline"), _by_service(est).assign(which="scenario")])
        st.altair_chart(charts.scenario_vs_baseline(both.assign(monthly=both["monthly"] * factor), money),
                        width="stretch")
        rows = []
        for name in scenario.environments:
            e = est if name == env_name else estimate(scenario, name, catalog)
            rows += [{"environment": name, "service": s, "monthly": float(v) * factor}
                     for s, v in e.by_service().items()]
        st.altair_chart(charts.environments(pd.DataFrame(rows), money), width="stretch")
    with tab_commit:
        _commitments(scenario, env_name, catalog)
    with tab_export:
        st.download_button("Scenario as YAML (loads in the CLI)", scenario_yaml(stack, env_name,
                                                                                scenario.environments[env_name]),
                           file_name=f"scenario-{env_name}.yaml", mime="text/yaml")
        st.download_button("Estimate as CSV", render_estimate.to_csv([est]), file_name=f"estimate-{env_name}.csv",
                           mime="text/csv")
        st.download_button("Estimate as Markdown", render_estimate.to_markdown(est),
                           file_name=f"estimate-{env_name}.md", mime="text/markdown")
        st.caption("The page's address holds this scenario: share the link to reproduce it.")


@st.cache_data(max_entries=32, show_spinner=False)
def _optimize(yaml_text: str, env_name: str, risk: str) -> dict[str, Any]:
    from stackcost.optimize import optimize
    from stackcost.optimize.options import cumulative_costs

    stack = parse_stack(yaml_text, "scenario")
    result = optimize(stack, env_name, load_catalog(), risk=risk)  # type: ignore[arg-type]
    sizing = [{"service": s.service, "indicative": s.indicative, "curve": s.curve,
               "commitment": float(s.commitment_per_hour)} for s in result.sizing]
    return {"json": result.to_json(), "cumulative": pd.DataFrame(cumulative_costs(result.options)),
            "lines": sorted({f"{o.service}: {o.line}" for o in result.options}), "sizing": sizing}


def _commitments(scenario: Stack, env_name: str, catalog: Catalog) -> None:
    risk = st.radio("Risk", ["low", "medium", "high"], index=1, horizontal=True, key="risk",
                    help="low: 1-year commitments on production; medium: + 3-year terms and low-disruption "
                         "changes; high: + Spot, schedules, arm64")
    text = scenario_yaml(scenario, env_name, scenario.environments[env_name])
    data = _optimize(text, env_name, risk)
    res = data["json"]
    plan = res["plan"]
    st.metric("Recommended plan", f"${Decimal(plan['planned_monthly_usd']):,.2f} per month",
              delta=f"−${Decimal(plan['monthly_saving_usd']):,.2f} ({plan['saving_pct']}%)", delta_color="inverse")
    st.caption(f"Risk {risk}: {plan['rule']}. Upfront: ${Decimal(plan['upfront_usd']):,.2f}.")
    st.dataframe(pd.DataFrame(plan["steps"])[["option", "service", "monthly_saving_usd"]] if plan["steps"] else
                 pd.DataFrame(), hide_index=True, width="stretch")
    opts = pd.DataFrame(res["options"])
    cols = ["service", "option", "upfront_usd", "monthly_recurring_usd", "effective_monthly_usd", "monthly_saving_usd",
            "saving_pct", "break_even_month", "available", "indicative", "applicable", "risk", "constraint"]
    st.dataframe(opts[cols], hide_index=True, width="stretch")
    cum = data["cumulative"]
    if len(cum):
        commit = cum[cum["option"].str.contains("Reserved|Savings Plan")]
        services = sorted({o.split(":")[0] for o in commit["option"]})
        if services:
            pick = st.selectbox("36-month view for", services, key="cum_service")
            st.altair_chart(charts.cumulative(commit[commit["option"].str.startswith(pick + ":")]),
                            width="stretch")
    for s in data["sizing"]:
        mark = " (INDICATIVE: another region's discount)" if s["indicative"] else ""
        st.caption(f"Savings Plan sizing for {s['service']}{mark}: best commitment ${s['commitment']:.4f}/h")
        st.line_chart(s["curve"], x="commitment_per_hour", y="monthly_usd", height=200)
    for n in res["notes"]:
        st.caption(n)
