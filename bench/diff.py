"""`cost diff` speed (not a test): cold runs on the fixture git repository of tests/test_diff_support.py (the
guide's Terraform, three commits) and the in-process pairing the what-if page would call.

Run: `python bench/diff.py`; prints a Markdown table (median and min of 5 runs, ms).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples), min(samples)


def main() -> None:
    from tests.test_diff_support import make_repo

    from stackcost.catalog import Catalog
    from stackcost.diff import compare_stacks
    from stackcost.sizing.load import parse_stack, preset_text

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT / "src")
    catalog = Catalog.load("ap-northeast-2")
    base = parse_stack(preset_text())
    head = parse_stack(preset_text().replace("db.t3.medium", "db.m7g.large", 1))
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "infra"
        ids = make_repo(repo)

        def cost(*args: str) -> Callable[[], object]:
            cmd = [sys.executable, "-m", "stackcost", "diff", *args]
            return lambda: subprocess.run(cmd, cwd=repo, env=env, check=True, capture_output=True)

        cost("origin/main", "HEAD", "--path", "terraform")()  # writes the bytecode cache, as a user's has
        rows = [
            ("git archive of the fixture repository (one side)",
             *timed(lambda: subprocess.run(["git", "archive", "--format=tar", ids["two"]], cwd=repo, check=True,
                                           capture_output=True))),
            ("compare_stacks, preset vs db.m7g.large, 3 environments, with commitments (in process)",
             *timed(lambda: compare_stacks(base, head, catalog))),
            ("compare_stacks, the same without commitments (in process)",
             *timed(lambda: compare_stacks(base, head, catalog, commitments=False))),
            ("cost diff origin/main HEAD --path terraform (2 environments, cold)",
             *timed(cost("origin/main", "HEAD", "--path", "terraform"))),
            ("cost diff ... --env production --format github (cold)",
             *timed(cost("origin/main", "HEAD", "--path", "terraform", "--env", "production", "--format",
                         "github"))),
        ]
    print(f"| measurement ({os.cpu_count()} cores) | median ms | min ms |")
    print("|---|--:|--:|")
    for name, med, best in rows:
        print(f"| {name} | {med:.1f} | {best:.1f} |")


if __name__ == "__main__":
    main()
