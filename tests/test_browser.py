"""End to end in a real browser: `streamlit run app.py` on 127.0.0.1, Debian's chromium driven by Playwright.
Changing the task count changes the total on the page to the hand-computed value."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("STACKCOST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    cwd = tmp_path_factory.mktemp("ui")  # no ./cost.yaml there: the embedded preset
    shutil.copytree(ROOT / ".streamlit", cwd / ".streamlit")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited: {proc.stdout.read() if proc.stdout else ''}") from None
                time.sleep(0.5)
        else:
            raise RuntimeError("streamlit did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_changing_the_task_count_changes_the_total(server: str, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium with apt-get")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.goto(server, wait_until="domcontentloaded")
        total = page.get_by_test_id("stMetric").filter(has_text="Total per month")
        expect(total).to_contain_text("$590.32", timeout=60_000)
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=30_000)
        page.wait_for_timeout(1500)  # let the data grid paint its canvas before the picture
        shot = Path(os.environ.get("STACKCOST_SCREENSHOT", tmp_path / "default.png"))
        page.screenshot(path=str(shot), full_page=False)
        tasks = page.get_by_label("tasks", exact=True)
        tasks.fill("3")
        tasks.press("Enter")
        expect(total).to_contain_text("$673.21", timeout=30_000)
        expect(total).to_contain_text("+$82.89")
        assert "fargate.api.tasks=3" in page.url
        page.screenshot(path=str(tmp_path / "three-tasks.png"))
        browser.close()
