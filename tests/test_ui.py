"""The what-if page through Streamlit's AppTest: knobs move the total by exactly the hand-computed amount, bad
input is a message in the page, query parameters restore a scenario. Every expected amount is worked by hand from the
published prices: the preset's totals from the hand tables (tests/pricelist_fixtures.py for production,
tests/test_report_render.py for staging), a knob's change from the price strings, each line rounded to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pricelist_fixtures import production_lines_by_hand, published_price
from tests.test_report_render import ESTIMATES

APP = str(Path(__file__).resolve().parent.parent / "app.py")
H = Decimal(730)
VCPU_H = published_price("Fargate", "Fargate Linux/x86 vCPU")  # 0.04656 per vCPU-hour
GB_H = published_price("Fargate", "Fargate Linux/x86 memory")  # 0.00511 per GB-hour
NAT_H = published_price("NAT Gateway", "Hourly charge for NAT Gateways")  # 0.059
IPV4_H = published_price("VPC", "Hourly charge for In use Public IPv4 Addresses per Hrs")  # 0.005
PRODUCTION = ESTIMATES["production"]  # the hand total of production
STAGING = ESTIMATES["staging"]  # the hand total of staging


def _cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _hand(component: str) -> Decimal:
    """One line of production's hand table."""
    return next(amount for _, c, amount in production_lines_by_hand() if c == component)


def _usd(x: Decimal) -> str:
    return f"${x:,.2f}"


# A third api task (2 vCPU / 4 GB, 730 h), rounded per line: 3 × 730 × 2 × 0.04656 = 203.93 and 3 × 730 × 4 × 0.00511
# = 44.76 replace the hand lines 135.96 and 29.84: 730 × (2 × 0.04656 + 4 × 0.00511) = 82.89 more.
ONE_MORE_TASK = (_cents(3 * H * 2 * VCPU_H) - _hand("api: vCPU")) + (_cents(3 * H * 4 * GB_H) - _hand("api: memory"))
# A third NAT Gateway: one more gateway-hour all month (730 × 0.059 = 43.07) and its Elastic IP (730 × 0.005 = 3.65).
THIRD_NAT = (_cents(3 * H * NAT_H) - _hand("2 NAT")) + (_cents(5 * H * IPV4_H) - _hand("public IPv4"))


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    return at


def _total(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Total per month")


def _find(at: AppTest, path: str):  # type: ignore[no-untyped-def]
    for widgets in (at.number_input, at.selectbox, at.checkbox):
        for w in widgets:
            if w.key == f"k:{path}":
                return w
    return None


def _open_all(at: AppTest) -> None:
    """Open every knob section (a closed section's knobs are not drawn)."""
    from stackcost.ui.scenario import TITLES

    for title in [*TITLES.values(), "Fargate: api"]:
        at.session_state[f"sec:{title}"] = True
    at.run()
    assert not at.exception, at.exception


def _knob(at: AppTest, path: str):  # type: ignore[no-untyped-def]
    w = _find(at, path)
    if w is None:
        _open_all(at)
        w = _find(at, path)
    if w is None:
        raise AssertionError(f"no knob {path}")
    return w


def _open(at: AppTest, tab: str) -> AppTest:
    """Open a results tab (only the open tab runs)."""
    at.session_state["results_tab"] = tab
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture()
def at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.chdir(tmp_path)  # no ./cost.yaml: the embedded preset
    app = _app()
    app.run()
    assert not app.exception, app.exception
    return app


def test_default_production_total(at: AppTest) -> None:
    assert _total(at) == _usd(PRODUCTION)


def test_one_more_task_adds_exactly_its_hours(at: AppTest) -> None:
    _knob(at, "fargate.api.tasks").set_value(3).run()
    # 730 h × (2 vCPU × 0.04656 + 4 GB × 0.00511) more, rounded per line: 203.93 − 135.96 and 44.76 − 29.84
    assert ONE_MORE_TASK == Decimal("203.93") - Decimal("135.96") + Decimal("44.76") - Decimal("29.84") \
        == Decimal("82.89")
    assert _total(at) == _usd(PRODUCTION + ONE_MORE_TASK)
    assert dict(at.query_params) == {"env": ["production"], "fargate.api.tasks": ["3"]} or \
        at.query_params["fargate.api.tasks"] in ("3", ["3"])


def test_a_third_nat_gateway(at: AppTest) -> None:
    _knob(at, "nat.gateways").set_value(3).run()
    # one more gateway-hour (0.059 × 730 = 43.07) and one more Elastic IP (0.005 × 730 = 3.65)
    assert THIRD_NAT == Decimal("43.07") + Decimal("3.65") == Decimal("46.72")
    assert _total(at) == _usd(PRODUCTION + THIRD_NAT)


def test_invalid_pasted_yaml_is_a_message(at: AppTest) -> None:
    at.sidebar.radio(key="config_choice").set_value("Upload or paste a YAML").run()
    at.sidebar.text_area(key="pasted").set_value("environments: [").run()
    assert not at.exception
    assert any("This config cannot be used" in e.value for e in at.error)
    bad = "environments:\n  production:\n    fargate:\n      - name: api\n        tasks: 1\n        vcpu: 2\n" \
          "        memory_gb: 3\n"
    at.sidebar.text_area(key="pasted").set_value(bad).run()
    msg = next(e.value for e in at.error)
    assert "production.fargate[api].memory_gb" in msg and "nearest: 4" in msg


def test_query_parameters_restore_a_scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = _app()
    app.query_params["env"] = "staging"
    app.query_params["fargate.api.tasks"] = "2"
    app.run()
    assert not app.exception
    # staging by hand; a second 1 vCPU / 2 GB task adds 730 × 0.04656 = 33.99 and 730 × 2 × 0.00511 = 7.46
    second = (_cents(2 * H * VCPU_H) - _cents(H * VCPU_H)) + (_cents(2 * H * 2 * GB_H) - _cents(H * 2 * GB_H))
    assert second == Decimal("33.99") + Decimal("7.46")
    assert _total(app) == _usd(STAGING + second)
    assert _knob(app, "fargate.api.tasks").value == 2


def test_a_bad_link_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = _app()
    app.query_params["rds.instance_class"] = "db.nope.large"
    app.run()
    assert not app.exception
    assert _total(app) == _usd(PRODUCTION)  # the bad class dropped: the preset's production
    assert any("could not be used" in w.value for w in app.warning)


def test_krw_needs_a_rate(at: AppTest) -> None:
    at.sidebar.radio(key="cur").set_value("KRW").run()
    assert _total(at) == _usd(PRODUCTION) and any("Enter a KRW rate" in w.value for w in at.sidebar.warning)
    at.sidebar.number_input(key="krw").set_value(1000).run()
    assert _total(at) == f"₩{PRODUCTION * 1000:,.0f}"  # 1,000 won a dollar


def test_vcpu_16_moves_memory_to_a_valid_size(at: AppTest) -> None:
    _knob(at, "fargate.api.vcpu").set_value("16").run()
    assert not at.exception and not at.error
    memory = _knob(at, "fargate.api.memory_gb")
    # Fargate takes 32-120 GB in 8 GB steps with 16 vCPU (ECS Developer Guide); the nearest to the config's 4 is 32.
    assert memory.options == [str(n) for n in range(32, 121, 8)] and memory.value == "32"
    # 2 tasks × 730 h = 1,460 task-hours: 1,460 × 16 × 0.04656 = 1,087.64 and 1,460 × 32 × 0.00511 = 238.74,
    # replacing the config's 135.96 + 29.84.
    fargate = _cents(2 * H * 16 * VCPU_H) + _cents(2 * H * 32 * GB_H) - _hand("api: vCPU") - _hand("api: memory")
    assert fargate == Decimal("1087.64") + Decimal("238.74") - Decimal("135.96") - Decimal("29.84")
    assert _total(at) == _usd(PRODUCTION + fargate)
    _knob(at, "fargate.api.memory_gb").set_value("64").run()
    assert not at.exception and _knob(at, "fargate.api.memory_gb").value == "64"


def test_a_bad_link_keeps_the_good_parameters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = _app()
    app.query_params["rds.instance_class"] = "db.nope.large"
    app.query_params["nat.gatways"] = "2"
    app.query_params["cur"] = "EUR"
    app.query_params["fargate.api.tasks"] = "3"
    app.run()
    assert not app.exception
    assert _total(app) == _usd(PRODUCTION + ONE_MORE_TASK)  # the third task kept, the bad ones dropped
    warning = next(w.value for w in app.warning if "could not be used" in w.value)
    for bad in ("rds.instance_class=db.nope.large", "nat.gatways=2", "cur=EUR"):
        assert bad in warning, warning


def test_a_link_with_vcpu_and_memory_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = _app()
    app.query_params["fargate.api.vcpu"] = "16"
    app.query_params["fargate.api.memory_gb"] = "64"  # valid only with the 16 vCPU next to it
    app.query_params["rds.instance_class"] = "db.nope.large"
    app.run()
    assert not app.exception
    assert _knob(app, "fargate.api.vcpu").value == "16" and _knob(app, "fargate.api.memory_gb").value == "64"


def test_krw_from_the_link_reaches_every_amount(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = _app()
    app.query_params["cur"] = "KRW"
    app.query_params["krw"] = "1400"
    app.query_params["krw_date"] = "2026-11-26"
    app.run()
    assert not app.exception
    assert _total(app) == f"₩{PRODUCTION * 1400:,.0f}"  # 1,400 won a dollar
    _open(app, "Commitments")
    plan = next(m for m in app.metric if m.label == "Recommended plan")
    assert plan.value.startswith("₩") and "₩" in plan.delta and "$" not in plan.delta
    options = next(d.value for d in app.dataframe if "Option" in d.value.columns)
    assert "Upfront (KRW)" in options.columns
    assert app.query_params["cur"] in ("KRW", ["KRW"]) and app.query_params["krw"] in ("1400", ["1400"])


def test_saving_reads_as_a_saving(at: AppTest) -> None:
    _open(at, "Commitments")
    plan = next(m for m in at.metric if m.label == "Recommended plan")
    assert plan.delta.startswith("saves $") and "−" not in plan.delta and "-" not in plan.delta


def test_tables_have_readable_headers_and_no_none(at: AppTest) -> None:
    import html
    import re

    import pandas as pd

    page = next(h.proto.body for h in at.get("html") if "sc-table" in h.proto.body)
    heads = [html.unescape(x) for x in re.findall(r"<th[^>]*>(.*?)</th>", page)]
    cells = [html.unescape(x) for x in re.findall(r"<td[^>]*>(.*?)</td>", page)]
    assert heads[:2] == ["Item", "Per month (USD)"] and len(cells) % len(heads) == 0
    lines = pd.DataFrame([cells[i:i + len(heads)] for i in range(0, len(cells), len(heads))], columns=heads)
    frames = [lines] + [d.value for d in _open(at, "Commitments").dataframe]
    assert len(frames) >= 3
    for frame in frames:
        assert not any("_" in str(c) for c in frame.columns), list(frame.columns)
        text = frame.astype(str).to_numpy().ravel().tolist()
        assert not {"None", "nan", "NaN", "<NA>"} & set(text), [c for c in frame.columns
                                                              if {"None", "nan"} & set(frame[c].astype(str))]


def test_knob_labels_are_words_with_units(at: AppTest) -> None:
    _open_all(at)
    labels = [w.label for ws in (at.number_input, at.selectbox, at.checkbox) for w in ws if str(w.key).startswith("k:")]
    assert labels and [lb for lb in labels if "_" in lb or not (lb[0].isupper() or lb.startswith("vCPU"))] == []
    assert "Data through NAT (GB/month)" in labels and "Multi-AZ (standby in a second zone)" in labels
    assert len(labels) == len(set(labels)) or labels.count("Rules") == 0  # no two knobs read "rules"


def test_rds_classes_in_size_order(at: AppTest) -> None:
    options = _knob(at, "rds.instance_class").options
    m5 = [o for o in options if o.startswith("db.m5.")]
    # AWS's size ladder, typed out: large < xlarge < 2xlarge < 4xlarge < 8xlarge < 12xlarge < 16xlarge < 24xlarge
    ladder = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"]
    assert [o.removeprefix("db.m5.") for o in m5] == [s for s in ladder if f"db.m5.{s}" in m5]


def test_the_page_says_how_old_the_prices_are(at: AppTest) -> None:
    from datetime import date

    text = " ".join(c.value for c in at.sidebar.caption)
    # AmazonELB's newest price in the catalog manifest is dated 2025-06-05 and it is one of the stale ones.
    assert f"{(date.today() - date(2025, 6, 5)).days} days" in text and "AWSELB" in text
    assert "cost catalog refresh" in text and "QuinnyPig/aws-price-watcher" in text


def test_closing_a_section_keeps_its_values(at: AppTest) -> None:
    _knob(at, "nat.gateways").set_value(3).run()
    expected = _usd(PRODUCTION + THIRD_NAT)  # see test_a_third_nat_gateway
    assert _total(at) == expected
    at.session_state["sec:NAT Gateway"] = False
    at.run()
    assert _find(at, "nat.gateways") is None and _total(at) == expected
    at.session_state["sec:NAT Gateway"] = True
    at.run()
    assert _find(at, "nat.gateways").value == 3 and _total(at) == expected


def test_risk_survives_leaving_its_tab(at: AppTest) -> None:
    _open(at, "Commitments")
    at.radio(key="risk").set_value("high").run()
    assert at.query_params["risk"] in ("high", ["high"])
    _open(at, "Line items")
    assert at.query_params["risk"] in ("high", ["high"])
    _open(at, "Commitments")
    assert at.radio(key="risk").value == "high"


def test_compare_with_the_baseline_pairs_the_changed_line(at: AppTest) -> None:
    # One more task: the two Fargate lines change (paired, not removed and added), by the hand-worked amounts.
    _knob(at, "fargate.api.tasks").set_value(3).run()
    _open(at, "Compare")
    html = "".join(h.proto.body for h in at.get("html"))
    vcpu = _cents(3 * H * 2 * VCPU_H) - _hand("api: vCPU")  # 730 × 2 × 0.04656 more: 67.97
    assert f"+${vcpu:,.2f}" in html and "api: vCPU (x86_64)" in html
    assert "removed" not in html.lower()
    (metric,) = [m for m in at.metric if "against baseline" in m.label]
    assert metric.delta == f"+${ONE_MORE_TASK:,.2f}"
