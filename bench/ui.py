"""The what-if page in a real browser: first render (cold server, then warm) and a knob change.

    python bench/ui.py [--runs 5]

Starts `streamlit run app.py` on 127.0.0.1 and drives Debian's chromium (/usr/bin/chromium) with Playwright.
"First render" is navigation to a settled page: the total shown, no script run in progress, every visible data
grid and chart painted. "Knob change" is pressing Enter in the task-count box to the new total on a settled page.
Targets (issue #19): first render <= 1.5 s warm, knob change <= 0.2 s. Figures are medians; the machine's load
shows in them, so run it on a quiet machine."""

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
        tasks = page.get_by_label("Running tasks", exact=True)
        changes = []
        for i in range(args.runs * 2):
            value, expected = ("3", "$673.21") if i % 2 == 0 else ("2", "$590.32")
            tasks.fill(value)
            start = time.perf_counter()
            tasks.press("Enter")
            _settle(page, expected)
            changes.append(time.perf_counter() - start)
        browser.close()
    print(f"viewport {args.width}x{args.height}, {args.runs} runs")
    print(f"first render, cold server: {cold:.2f} s")
    print(f"first render, warm server: median {statistics.median(warm):.2f} s (min {min(warm):.2f}, "
          f"max {max(warm):.2f})  target <= 1.5 s")
    print(f"knob change:               median {statistics.median(changes):.3f} s (min {min(changes):.3f}, "
          f"max {max(changes):.3f})  target <= 0.2 s")


if __name__ == "__main__":
    main()
