"""Altair charts of the what-if page, each built from a plain DataFrame the library produced.

Every bar keeps its label (the chart grows with the number of bars, labels are never thinned or cut), colours come
from a 20-colour scheme so the environments chart does not reuse them, and legends show whole names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import pandas as pd

ROW = 26  # px per bar: enough for a 12 px label, so Vega-Lite never drops every other one
LEGEND_ROW = 20  # px per legend line; Streamlit fits the whole chart, legend included, into the given height


def _with_legend(plot: int, entries: int, columns: int) -> int:
    return plot + LEGEND_ROW * -(-entries // columns) + 70
SCHEME: Final = "tableau20"


def _label_axis(title: str | None = None) -> Any:
    import altair as alt

    return alt.Axis(title=title, labelLimit=0, labelOverlap=False, labelFontSize=12)


def _money_axis(money: str) -> Any:
    import altair as alt

    return alt.Axis(title=f"per month ({money})", format="~s" if money == "KRW" else ",.0f", labelOverlap=True)


def _legend(columns: int = 1) -> Any:
    import altair as alt

    return alt.Legend(title=None, labelLimit=0, orient="bottom", columns=columns, symbolLimit=0)


def by_service(frame: pd.DataFrame, money: str = "USD") -> Any:
    """frame: service, monthly (in `money`)."""
    import altair as alt

    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("monthly:Q", axis=_money_axis(money)), y=alt.Y("service:N", sort="-x", axis=_label_axis()),
        tooltip=[alt.Tooltip("service", title="service"), alt.Tooltip("monthly:Q", format=",.2f", title=money)],
    ).properties(title="Cost by service", height=ROW * max(len(frame), 1))


def scenario_vs_baseline(frame: pd.DataFrame, money: str = "USD") -> Any:
    """frame: service, which (config | this scenario), monthly."""
    import altair as alt

    services = frame["service"].nunique()
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("service:N", axis=_label_axis()), yOffset="which:N",
        x=alt.X("monthly:Q", axis=_money_axis(money)),
        color=alt.Color("which:N", legend=_legend(2), scale=alt.Scale(range=["#9e9e9e", "#1f77b4"])),
        tooltip=["service", "which", alt.Tooltip("monthly:Q", format=",.2f", title=money)],
    ).properties(title="This scenario against the config", height=_with_legend(2 * 14 * max(services, 1) + 20, 2, 2))


def environments(frame: pd.DataFrame, money: str = "USD") -> Any:
    """frame: environment, service, monthly."""
    import altair as alt

    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("environment:N", axis=_label_axis()), x=alt.X("sum(monthly):Q", axis=_money_axis(money)),
        color=alt.Color("service:N", scale=alt.Scale(scheme=SCHEME), legend=_legend(2)),
        tooltip=["environment", "service", alt.Tooltip("monthly:Q", format=",.2f", title=money)],
    ).properties(title="Environments side by side",
                 height=_with_legend(60 * max(frame["environment"].nunique(), 1), frame["service"].nunique(), 2))


def cumulative(frame: pd.DataFrame, money: str = "USD", service: str = "") -> Any:
    """frame: option, month, cumulative_usd, on_demand_cumulative_usd (both already in `money`); break-even where
    a line drops below on-demand."""
    import altair as alt
    import pandas as pd

    od = frame.groupby("month", as_index=False)["on_demand_cumulative_usd"].max().assign(option="on-demand")
    lines = pd.concat([frame[["option", "month", "cumulative_usd"]],
                       od.rename(columns={"on_demand_cumulative_usd": "cumulative_usd"})])
    options = [*sorted(frame["option"].unique()), "on-demand"]
    base = alt.Chart(lines).mark_line().encode(
        x=alt.X("month:Q", title="months from purchase", scale=alt.Scale(domain=[0, 36], nice=False)),
        y=alt.Y("cumulative_usd:Q", title=f"cumulative cost ({money})", axis=alt.Axis(format="~s")),
        color=alt.Color("option:N", sort=options, scale=alt.Scale(scheme=SCHEME), legend=_legend(1)),
        strokeDash=alt.condition(alt.datum.option == "on-demand", alt.value([6, 3]), alt.value([1, 0])),
        tooltip=["option", "month", alt.Tooltip("cumulative_usd:Q", format=",.0f", title=money)])
    crossings = frame[frame["cumulative_usd"] <= frame["on_demand_cumulative_usd"]]
    first = crossings.sort_values("month").groupby("option", as_index=False).first() if len(crossings) else \
        pd.DataFrame(columns=frame.columns)
    points = alt.Chart(first).mark_point(size=80, filled=True).encode(
        x="month:Q", y="cumulative_usd:Q", color=alt.Color("option:N", sort=options, legend=None),
        tooltip=["option", alt.Tooltip("month:Q", title="break-even month")])
    title = f"{service}: cost over 36 months (dashed: on-demand; dots: break-even)" if service else \
        "Cost over 36 months (dashed: on-demand; dots: break-even)"
    return (base + points).properties(title=title, height=_with_legend(300, len(options), 1))


def sizing_curve(frame: pd.DataFrame, money: str, service: str) -> Any:
    """frame: commitment_per_hour (USD, as AWS sells it), monthly (the month's cost in `money`)."""
    import altair as alt

    return alt.Chart(frame).mark_line().encode(
        x=alt.X("commitment_per_hour:Q", title="Savings Plan commitment (USD per hour)"),
        y=alt.Y("monthly:Q", title=f"cost per month ({money})", scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("commitment_per_hour:Q", format=".4f", title="USD/h"),
                 alt.Tooltip("monthly:Q", format=",.2f", title=money)],
    ).properties(title=f"{service}: month's cost by commitment", height=200)
