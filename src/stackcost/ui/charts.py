"""Altair charts of the what-if page, each built from a plain DataFrame the library produced."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def by_service(frame: pd.DataFrame, money: str = "USD") -> Any:
    import altair as alt

    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("monthly:Q", title=f"per month ({money})"), y=alt.Y("service:N", sort="-x", title=None),
        tooltip=["service", alt.Tooltip("monthly:Q", format=",.2f")]).properties(title="Cost by service", height=260)


def scenario_vs_baseline(frame: pd.DataFrame, money: str = "USD") -> Any:
    """frame: service, which (baseline | scenario), monthly."""
    import altair as alt

    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("service:N", title=None), yOffset="which:N", x=alt.X("monthly:Q", title=f"per month ({money})"),
        color=alt.Color("which:N", title=None), tooltip=["service", "which", alt.Tooltip("monthly:Q", format=",.2f")],
    ).properties(title="Scenario against the baseline", height=300)


def environments(frame: pd.DataFrame, money: str = "USD") -> Any:
    """frame: environment, service, monthly."""
    import altair as alt

    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("environment:N", title=None), y=alt.Y("sum(monthly):Q", title=f"per month ({money})"),
        color=alt.Color("service:N"), tooltip=["environment", "service", alt.Tooltip("monthly:Q", format=",.2f")],
    ).properties(title="Environments side by side", height=300)


def cumulative(frame: pd.DataFrame) -> Any:
    """frame: option, month, cumulative_usd, on_demand_cumulative_usd; break-even where the lines cross."""
    import altair as alt
    import pandas as pd

    od = frame.groupby("month", as_index=False)["on_demand_cumulative_usd"].max()
    base = alt.Chart(frame).mark_line().encode(
        x=alt.X("month:Q", title="month"), y=alt.Y("cumulative_usd:Q", title="cumulative USD"),
        color=alt.Color("option:N", title=None), tooltip=["option", "month", alt.Tooltip("cumulative_usd:Q",
                                                                                        format=",.2f")])
    on_demand = alt.Chart(od).mark_line(strokeDash=[6, 3], color="black").encode(
        x="month:Q", y="on_demand_cumulative_usd:Q")
    crossings = frame[frame["cumulative_usd"] <= frame["on_demand_cumulative_usd"]]
    first = crossings.sort_values("month").groupby("option", as_index=False).first() if len(crossings) else \
        pd.DataFrame(columns=frame.columns)
    points = alt.Chart(first).mark_point(size=80, filled=True).encode(
        x="month:Q", y="cumulative_usd:Q", color="option:N",
        tooltip=["option", alt.Tooltip("month:Q", title="break-even month")])
    return (base + on_demand + points).properties(title="36 months: cumulative cost (dashed: on-demand)", height=320)
