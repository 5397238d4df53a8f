"""Start `streamlit run app.py` on 127.0.0.1 for the browser test and the page bench.

The port comes from the OS (bind to port 0, close, hand it to streamlit); another process can take it in between,
so a start that fails with "already in use" is retried on a fresh port. Every wait is bounded."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


class ServeError(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(cwd: Path, port: int, timeout_s: float, app: Path) -> subprocess.Popen[str] | None:
    """The running server, or None when the port was taken before streamlit bound it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            return proc
        except OSError:
            if proc.poll() is not None:
                out = proc.stdout.read() if proc.stdout else ""
                if "already in use" in out:
                    return None
                raise ServeError(f"streamlit exited: {out.strip()[-2000:]}") from None
            time.sleep(0.2)
    proc.terminate()
    proc.wait(timeout=20)
    raise ServeError(f"streamlit did not answer on port {port} within {timeout_s:.0f} s")


@contextmanager
def streamlit_server(workdir: Path, attempts: int = 5, timeout_s: float = 60, app: Path | None = None) -> Iterator[str]:
    """The page's URL, served from `workdir` (no ./cost.yaml there: the embedded preset)."""
    if (ROOT / ".streamlit").is_dir() and not (workdir / ".streamlit").exists():
        shutil.copytree(ROOT / ".streamlit", workdir / ".streamlit")
    for _ in range(attempts):
        port = _free_port()
        proc = _start(workdir, port, timeout_s, app or ROOT / "app.py")
        if proc is None:
            continue
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        return
    raise ServeError(f"no free port after {attempts} attempts")


# Streamlit shows its status widget while a script run is in progress; the page is settled when it is gone and
# every data grid and chart has painted.
SETTLED_JS = """() => {
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const grids = [...document.querySelectorAll('[data-testid="stDataFrame"]')].filter(g => g.offsetParent);
  if (grids.some(g => !g.querySelector('canvas'))) return false;
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].filter(c => c.offsetParent);
  return charts.every(c => c.querySelector('canvas, svg'));
}"""
