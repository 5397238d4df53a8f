"""The what-if page in a real browser: first render (cold server, then warm) and a knob change.

    python bench/ui.py [--runs 5]

Starts `streamlit run app.py` on 127.0.0.1 and drives Debian's chromium (/usr/bin/chromium) with Playwright.
"First render" is navigation to a settled page: the total shown, no script run in progress, every visible data
grid and chart painted. "Knob change" is pressing Enter in the task-count box to the new total on a settled page.
Targets (issue #19): first render <= 1.5 s warm, knob change <= 0.2 s. Figures are medians; the machine's load
shows in them, so the bench also times the floor: a Streamlit page holding one metric, served and loaded the same
way (Streamlit's own JavaScript start-up), measured in the same run."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from stackcost.ui.serve import CHROMIUM_ARGS, SETTLED_JS, streamlit_server

CHROMIUM = "/usr/bin/chromium"
TOTAL = "Total per month"


def _settle(page: object, expected: str) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    expect(page.get_by_test_id("stMetric").filter(has_text=TOTAL)).to_contain_text(expected, timeout=60_000)
    page.wait_for_function(SETTLED_JS, timeout=60_000, polling=20)


FLOOR_APP = """import streamlit as st

n = st.number_input("Running tasks", min_value=0, value=2, step=1)
st.metric("Total per month", {2: "$590.32", 3: "$673.21"}.get(n, "?"))
"""


def _floor(browser: object, viewport: dict[str, int], runs: int) -> tuple[list[float], list[float]]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    with tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp) / "floor.py"
        app.write_text(FLOOR_APP)
        with streamlit_server(Path(tmp), app=app) as url:
            out = []
            for _ in range(runs + 1):
                page = browser.new_page(viewport=viewport)
                start = time.perf_counter()
                page.goto(url, wait_until="commit")
                _settle(page, "$590.32")
                out.append(time.perf_counter() - start)
                if len(out) <= runs:
                    page.close()
            return out[1:], _changes(page, runs)


def _changes(page: object, runs: int) -> list[float]:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    tasks = page.get_by_label("Running tasks", exact=True)
    out = []
    for i in range(runs * 2):
        value, expected = ("3", "$673.21") if i % 2 == 0 else ("2", "$590.32")
        tasks.fill(value)
        start = time.perf_counter()
        tasks.press("Enter")
        _settle(page, expected)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--width", type=int, default=1440)
    ap.add_argument("--height", type=int, default=900)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, streamlit_server(Path(tmp)) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        viewport = {"width": args.width, "height": args.height}

        def first_render() -> float:
            page = browser.new_page(viewport=viewport)
            start = time.perf_counter()
            page.goto(url, wait_until="commit")
            _settle(page, "$590.32")
            took = time.perf_counter() - start
            page.close()
            return took

        cold = first_render()
        warm = [first_render() for _ in range(args.runs)]
        page = browser.new_page(viewport=viewport)
        page.goto(url)
        _settle(page, "$590.32")
        changes = _changes(page, args.runs)
        page.close()
        floor, floor_changes = _floor(browser, viewport, args.runs)
        browser.close()
    print(f"viewport {args.width}x{args.height}, {args.runs} runs")
    print(f"first render, cold server: {cold:.2f} s")
    print(f"first render, warm server: median {statistics.median(warm):.2f} s (min {min(warm):.2f}, "
          f"max {max(warm):.2f})  target <= 1.5 s")
    print(f"floor (a one-input, one-metric Streamlit page): first render median {statistics.median(floor):.2f} s, "
          f"knob change median {statistics.median(floor_changes):.3f} s")
    print(f"knob change:               median {statistics.median(changes):.3f} s (min {min(changes):.3f}, "
          f"max {max(changes):.3f})  target <= 0.2 s")


if __name__ == "__main__":
    main()
