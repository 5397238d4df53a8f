"""The what-if page through Streamlit's AppTest: knobs move the total by exactly the hand-computed amount, bad
input is a message in the page, query parameters restore a scenario."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    return at


def _total(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Total per month")


def _knob(at: AppTest, path: str):  # type: ignore[no-untyped-def]
    for widgets in (at.number_input, at.selectbox, at.checkbox):
        for w in widgets:
            if w.key == f"k:{path}":
                return w
    raise AssertionError(f"no knob {path}")


@pytest.fixture()
def at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.chdir(tmp_path)  # no ./cost.yaml: the embedded preset
    app = _app()
    app.run()
    assert not app.exception, app.exception
    return app


def test_default_production_total(at: AppTest) -> None:
    assert _total(at) == "$590.32"


def test_one_more_task_adds_exactly_its_hours(at: AppTest) -> None:
    _knob(at, "fargate.api.tasks").set_value(3).run()
    # 730 h × (2 vCPU × 0.04656 + 4 GB × 0.00511) more, rounded per line: 203.93 − 135.96 and 44.76 − 29.84
    assert Decimal("203.93") - Decimal("135.96") + Decimal("44.76") - Decimal("29.84") == Decimal("82.89")
    assert _total(at) == "$673.21"
    assert dict(at.query_params) == {"env": ["production"], "fargate.api.tasks": ["3"]} or \
        at.query_params["fargate.api.tasks"] in ("3", ["3"])


def test_a_third_nat_gateway(at: AppTest) -> None:
    _knob(at, "nat.gateways").set_value(3).run()
    # one more gateway-hour (0.059 × 730 = 43.07) and one more Elastic IP (0.005 × 730 = 3.65)
    assert _total(at) == f"${Decimal('590.32') + Decimal('43.07') + Decimal('3.65'):,.2f}"


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
    # staging is $198.03; a second 1 vCPU / 2 GB task adds 730 × 0.04656 = 33.99 and 730 × 2 × 0.00511 = 7.46
    assert _total(app) == "$239.48"
    assert _knob(app, "fargate.api.tasks").value == 2


def test_a_bad_link_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = _app()
    app.query_params["rds.instance_class"] = "db.nope.large"
    app.run()
    assert not app.exception
    assert _total(app) == "$590.32"
    assert any("could not be used" in w.value for w in app.warning)


def test_krw_needs_a_rate(at: AppTest) -> None:
    at.sidebar.radio(key="cur").set_value("KRW").run()
    assert _total(at) == "$590.32" and any("Enter a KRW rate" in w.value for w in at.sidebar.warning)
    at.sidebar.number_input(key="krw").set_value(1000).run()
    assert _total(at) == "₩590,320"
