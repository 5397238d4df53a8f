"""The text forms as people read them: in a real terminal (tmux) at 80 and 120 columns, and piped with COLUMNS.
Every amount is whole, no line is wider than the terminal, headers are not cut."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

COST = [sys.executable, "-m", "stackcost"]


def _json(*args: str) -> dict:  # type: ignore[type-arg]
    r = subprocess.run([*COST, *args, "--format", "json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def _in_tmux(args: list[str], width: int, tmp_path: Path) -> str:
    """Run the CLI in a detached tmux session of `width` columns and read the screen back."""
    name = f"stackcost-{uuid.uuid4().hex[:8]}"
    tmp_path.mkdir(parents=True, exist_ok=True)
    done = tmp_path / "done"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    cmd = " ".join([*COST, *args]) + f"; touch {done}; sleep 30"
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", str(width), "-y", "400", cmd], check=True, env=env,
                   timeout=30)
    try:
        deadline = time.monotonic() + 60
        while not done.exists():
            assert time.monotonic() < deadline, "the command did not finish in tmux"
            time.sleep(0.1)
        return subprocess.run(["tmux", "capture-pane", "-p", "-J", "-S", "-400", "-t", name], capture_output=True,
                              text=True, check=True, timeout=30).stdout
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True, timeout=30)


def _check(screen: str, width: int, amounts: list[str], headers: list[str]) -> None:
    lines = screen.splitlines()
    assert max(len(line) for line in lines) <= width
    assert "…" not in screen
    words = screen.split()
    for a in amounts:
        assert a in words, f"{a} is not whole on the screen"
    for h in headers:
        assert h in screen


def _estimate_amounts(doc: dict) -> list[str]:  # type: ignore[type-arg]
    # each line's amount as the table writes it (1,234.56), plus the total
    return [f"{Decimal(i['monthly_usd']):,.2f}" for i in doc["line_items"] if i["monthly_usd"] is not None] + \
        [f"{Decimal(doc['total_monthly_usd']):,.2f}"]


def _optimize_amounts(doc: dict) -> list[str]:  # type: ignore[type-arg]
    return [f"${Decimal(o['effective_monthly_usd']):,.2f}" for o in doc["options"]
            if o["effective_monthly_usd"] is not None]


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is installed by `make test` (apt-get)")
@pytest.mark.parametrize("width", [80, 120])
def test_estimate_and_optimize_in_a_real_terminal(width: int, tmp_path: Path) -> None:
    est = _in_tmux(["estimate", "production"], width, tmp_path / "e")
    _check(est, width, _estimate_amounts(_json("estimate", "production")), ["Quantity", "Monthly", "Component"])
    opt = _in_tmux(["optimize", "production"], width, tmp_path / "o")
    _check(opt, width, _optimize_amounts(_json("optimize", "production")), ["Effective", "Saving/mo"])


@pytest.mark.parametrize("width", [80, 120])
def test_piped_output_follows_columns(width: int) -> None:
    env = {**os.environ, "COLUMNS": str(width)}
    for args, amounts in ((["estimate", "production"], _estimate_amounts(_json("estimate", "production"))),
                          (["optimize", "production"], _optimize_amounts(_json("optimize", "production")))):
        r = subprocess.run([*COST, *args], capture_output=True, text=True, env=env, timeout=120)
        assert r.returncode == 0, r.stderr
        _check(r.stdout, width, amounts, [])


def test_styles_only_where_asked() -> None:
    """Piped output is plain text; FORCE_COLOR paints the total bold (as on a terminal); NO_COLOR always wins."""
    doc = _json("estimate", "production")
    total = f"{Decimal(doc['total_monthly_usd']):,.2f}"
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")} | {"COLUMNS": "100"}
    outs = {}
    for name, extra in (("piped", {}), ("forced", {"FORCE_COLOR": "1"}), ("no-color", {"FORCE_COLOR": "1",
                                                                                        "NO_COLOR": "1"})):
        r = subprocess.run([*COST, "estimate", "production"], capture_output=True, text=True, timeout=120,
                           env=base | extra)
        assert r.returncode == 0, r.stderr
        outs[name] = r.stdout
    assert "\x1b[" not in outs["piped"] and outs["no-color"] == outs["piped"]
    assert f"\x1b[1m{total}\x1b[0m" in outs["forced"]
    # the same text once the codes are taken out: styles never move a column
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", outs["forced"]) == outs["piped"]


def _columns(line: str) -> int:
    """Terminal columns of a line, counted here from the Unicode tables (wide and full-width characters: 2)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in line)


def test_korean_names_keep_the_table_aligned_and_within_the_width(tmp_path: Path) -> None:
    """A Hangul character takes two terminal columns: widths, padding and folding count columns, not characters.
    Where even the amounts' columns do not fit, a long header folds; it is never cut, nor an amount."""
    from stackcost.sizing.load import preset_text

    name = "스테이징환경검증"  # 8 characters, 16 columns
    (tmp_path / "ko.yaml").write_text(preset_text().replace("\n  staging:\n", f"\n  {name}:\n"), encoding="utf-8")
    docs = _json("estimate", "--all", "-c", str(tmp_path / "ko.yaml"))
    assert [d["environment"] for d in docs] == ["production", name, "development"]
    for width in (70, 100):
        r = subprocess.run([*COST, "estimate", "--all", "-c", str(tmp_path / "ko.yaml")], capture_output=True,
                           text=True, timeout=120, env={**os.environ, "COLUMNS": str(width)})
        assert r.returncode == 0, r.stderr
        lines = r.stdout.splitlines()
        assert max(_columns(line) for line in lines) <= width
        at = next(n for n, line in enumerate(lines) if line.startswith("─"))
        rule, head = lines[at], lines[1:at]  # the header, folded where the name does not fit whole
        assert _columns(head[0]) == len(rule)  # the last column ends where the rule does
        pieces = [w for line in head for w in line.split() if w in name]  # the name's lines, top to bottom
        assert "".join(pieces) == name and (width < 100 or pieces == [name])
        total = next(line for line in lines if line.startswith("Total per month"))
        assert _columns(total) == len(rule)
        assert total.split()[-1] == f"{sum(Decimal(d['total_monthly_usd']) for d in docs):,.2f}"


def test_all_environments_end_with_the_total_of_all() -> None:
    docs = _json("estimate", "--all")
    grand = sum((Decimal(d["total_monthly_usd"]) for d in docs), Decimal(0))
    r = subprocess.run([*COST, "estimate", "--all"], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "COLUMNS": "100"})
    assert r.returncode == 0
    total_line = next(line for line in r.stdout.splitlines() if line.startswith("Total per month"))
    assert total_line.split()[-1] == f"{grand:,.2f}"


def test_krw_and_vat_show_their_rate_and_date() -> None:
    doc = _json("estimate", "production", "--currency", "KRW", "--krw-rate", "1388.5", "--krw-date", "2026-11-27",
                "--vat", "0.1")
    total = Decimal(doc["total_monthly_usd"])
    vat = (total * Decimal("0.1")).quantize(Decimal("0.01"))
    assert doc["vat"]["monthly_usd"] == str(vat)
    won = ((total + vat) * Decimal("1388.5")).quantize(Decimal(1))
    assert doc["krw"] == {"rate": "1388.5", "rate_date": "2026-11-27", "total_monthly_krw": str(won),
                          "includes_vat": True}
    r = subprocess.run([*COST, "estimate", "production", "--currency", "KRW", "--krw-rate", "1388.5", "--krw-date",
                        "2026-11-27"], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "COLUMNS": "120"})
    flat = " ".join(r.stdout.split())
    assert "1,388.5 per USD (rate of 2026-11-27" in flat
    bad = subprocess.run([*COST, "estimate", "--currency", "KRW"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "--krw-rate" in bad.stderr


def test_compare_pairs_a_changed_class_as_one_line() -> None:
    doc = _json("compare", "staging", "production")
    rds = [x for x in doc["lines"] if x["service"] == "RDS PostgreSQL" and x["a_component"] and "instance" in
           x["a_component"]]
    assert len(rds) == 1 and rds[0]["status"] == "changed"
    assert rds[0]["a_component"].startswith("db.t3.small") and rds[0]["b_component"].startswith("db.t3.medium")
    # staging db.t3.small Single-AZ 730 h × 0.056 = 40.88; production db.t3.medium Multi-AZ 730 h × 0.224 = 163.52
    assert (rds[0]["a_usd"], rds[0]["b_usd"], rds[0]["delta_usd"]) == ("40.88", "163.52", "122.64")
    assert not [x for x in doc["lines"] if x["status"] in ("added", "removed") and x["service"] == "RDS PostgreSQL"
                and "instance" in (x["a_component"] or x["b_component"])]
