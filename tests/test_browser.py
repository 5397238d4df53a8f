"""End to end in a real browser: `streamlit run app.py` on 127.0.0.1, Debian's chromium driven by Playwright.
Changing the task count changes the total on the page to the hand-computed value; on a desktop and on a phone
(390×844) the total stays in view after scrolling through the knobs. `make screenshot` writes the README's pictures
(STACKCOST_SCREENSHOT_DIR=docs); every wait is for a condition, bounded."""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from stackcost.ui.serve import CHROMIUM_ARGS, SETTLED_JS, streamlit_server
from tests.test_ui import ONE_MORE_TASK, PRODUCTION  # hand-worked from the published prices

CHROMIUM = os.environ.get("STACKCOST_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with streamlit_server(tmp_path_factory.mktemp("ui")) as url:  # no ./cost.yaml there: the embedded preset
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium with apt-get")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _shots(tmp_path: Path) -> Path:
    out = Path(os.environ.get("STACKCOST_SCREENSHOT_DIR", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    return out


def _settled(page: Any, total: str) -> Any:
    from playwright.sync_api import expect

    metric = page.get_by_test_id("stMetric").filter(has_text="Total per month")
    expect(metric).to_contain_text(total, timeout=90_000)
    page.wait_for_function(SETTLED_JS, timeout=60_000)
    page.evaluate("document.fonts.ready")
    return metric


def _in_view(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] and box["x"] >= 0


SCROLL_JS = """px => {
  let e = document.querySelector('.st-key-total_bar');
  while (e && !(e.scrollHeight > e.clientHeight && /(auto|scroll)/.test(getComputedStyle(e).overflowY))) {
    e = e.parentElement;
  }
  e = e || document.scrollingElement;
  e.scrollBy(0, px);
  return e.scrollTop;
}"""


def _scroll_main(page: Any, pixels: int) -> None:
    """Scroll the page's scrolling container (Streamlit's main section) and wait until it has moved."""
    # Further than the bar's own place on the page (about 100 px down), so without sticking it would be gone.
    assert page.evaluate(SCROLL_JS, pixels) > 300
    page.wait_for_function(SETTLED_JS, timeout=30_000)


def test_changing_the_task_count_changes_the_total(server: str, browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport=DESKTOP)
    page.goto(server, wait_until="domcontentloaded")
    total = _settled(page, f"${PRODUCTION:,.2f}")
    page.screenshot(path=str(_shots(tmp_path) / "ui-desktop.png"))
    tasks = page.get_by_label("Running tasks", exact=True)
    tasks.fill("3")
    tasks.press("Enter")
    expect(total).to_contain_text(f"${PRODUCTION + ONE_MORE_TASK:,.2f}", timeout=30_000)
    expect(total).to_contain_text("+$82.89")
    page.wait_for_url("**fargate.api.tasks=3**", timeout=10_000)
    # Scrolled to the last knob section, the total is still on screen, at the new value.
    _scroll_main(page, 1500)
    assert _in_view(page, total)
    page.close()


def test_phone_keeps_the_total_in_view(server: str, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page.goto(server, wait_until="domcontentloaded")
    total = _settled(page, f"${PRODUCTION:,.2f}")
    assert _in_view(page, total)
    page.screenshot(path=str(_shots(tmp_path) / "ui-phone.png"))
    # The knobs come first on a phone and run long: far down the page the total is still at the top.
    _scroll_main(page, 2500)
    assert _in_view(page, total)
    page.screenshot(path=str(_shots(tmp_path) / "ui-phone-scrolled.png"))
    page.close()


def test_a_krw_link_shows_won_everywhere(server: str, browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{server}/?cur=KRW&krw=1400&krw_date=2026-11-26", wait_until="domcontentloaded")
    _settled(page, f"₩{(PRODUCTION * 1400).quantize(Decimal(1), rounding=ROUND_HALF_UP):,}")  # hand total × 1,400
    page.get_by_role("tab", name="Charts").click()
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts.first).to_be_visible(timeout=30_000)
    page.wait_for_function(SETTLED_JS, timeout=60_000)
    expect(charts.first).to_contain_text("per month (KRW)")
    page.screenshot(path=str(tmp_path / "ui-charts-krw.png"))
    page.close()
