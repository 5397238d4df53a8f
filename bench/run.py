"""Speed measurements (not tests): catalog load, in-process estimate and optimize, Savings Plan sizing
(8,760 hours × 1,000 candidate commitments), cold `cost estimate production`.

Run with `make bench`; prints a Markdown table that the README quotes.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

REPEAT = 15


def timed(fn: Callable[[], object], repeat: int = REPEAT) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples), min(samples)


def cold(args: list[str]) -> tuple[float, float]:
    # A user's Python caches bytecode; this machine's environment sets PYTHONDONTWRITEBYTECODE, which would time
    # compiling every module on every run. Drop it, and let one untimed run write the cache.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"COLUMNS": "200"}
    with tempfile.TemporaryDirectory() as cwd:  # no ./cost.yaml: the embedded preset
        subprocess.run(args, cwd=cwd, check=True, capture_output=True, env=env)
        return timed(lambda: subprocess.run(args, cwd=cwd, check=True, capture_output=True, env=env), repeat=7)


def in_fresh_process(code: str, repeat: int = 7) -> tuple[float, float]:
    """Milliseconds a snippet reports for itself in a new interpreter (imports included)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    prog = f"import time; t = time.perf_counter(); {code}; print((time.perf_counter() - t) * 1000)"
    subprocess.run([sys.executable, "-c", prog], check=True, capture_output=True, env=env)
    samples = [float(subprocess.run([sys.executable, "-c", prog], check=True, capture_output=True, env=env,
                                    text=True).stdout) for _ in range(repeat)]
    return statistics.median(samples), min(samples)


def what_if(stack: object, catalog: object, apply: Callable[..., object], stack_with: Callable[..., object],
            estimate: Callable[..., object]) -> None:
    """What the page recomputes after a knob changes (the optimizer runs only when its tab's inputs change)."""
    env = apply(stack.environments["production"], {"fargate.api.tasks": "3"})  # type: ignore[attr-defined]
    scenario = stack_with(stack, "production", env)
    for name in ("production", "staging", "development"):
        estimate(scenario, name, catalog)
    estimate(stack, "production", catalog)


def main() -> None:
    import numpy as np

    from stackcost.catalog import Catalog
    from stackcost.estimate import estimate
    from stackcost.optimize import optimize
    from stackcost.optimize.sp_sizing import cost_curve
    from stackcost.sizing.load import load_stack
    from stackcost.ui.scenario import apply, stack_with

    catalog = Catalog.load()
    stack, _ = load_stack(None)
    # A year of hourly on-demand usage of an autoscaled service: 2 tasks at night, up to 4 in office hours.
    task_od = 2 * 0.04656 + 4 * 0.00511
    hours = np.arange(8760)
    usage = np.where((hours % 24 >= 8) & (hours % 24 < 20), 4, 2) * task_od
    candidates = np.linspace(0, usage.max() * 0.8, 1000)
    records = len(catalog.records)
    rows = [
        (f"catalog load ({records:,} records, checksums verified)", *timed(Catalog.load)),
        ("estimate production, in process", *timed(lambda: estimate(stack, "production", catalog))),
        ("estimate all 3 environments, in process",
         *timed(lambda: [estimate(stack, e, catalog) for e in stack.environments])),
        ("optimize production (risk high), in process, warm catalog",
         *timed(lambda: optimize(stack, "production", catalog, risk="high"))),
        ("what-if page recompute: apply a knob, estimate scenario + baseline + other envs",
         *timed(lambda: what_if(stack, catalog, apply, stack_with, estimate))),
        ("Savings Plan cost curve: 8,760 h × 1,000 commitments (NumPy)",
         *timed(lambda: cost_curve(usage, 0.2, candidates))),
        ("catalog load in a fresh process, imports included (ap-northeast-2 + global)",
         *in_fresh_process("from stackcost.catalog import Catalog; Catalog.load('ap-northeast-2')")),
        ("python -c pass (interpreter start)", *cold([sys.executable, "-c", "pass"])),
        ("cost estimate production (cold process)", *cold([sys.executable, "-m", "stackcost", "estimate",
                                                            "production"])),
        ("cost optimize production --format json (cold)",
         *cold([sys.executable, "-m", "stackcost", "optimize", "production", "--format", "json"])),
        ("cost estimate production --format json (cold)",
         *cold([sys.executable, "-m", "stackcost", "estimate", "production", "--format", "json"])),
    ]
    base = next(med for name, med, _ in rows if name.startswith("python -c pass"))
    print(f"| measurement ({os.cpu_count()} cores) | median ms | min ms | × python -c pass |")
    print("|---|--:|--:|--:|")
    for name, med, best in rows:
        ratio = f"{med / base:.1f}×" if "cold" in name else ""
        print(f"| {name} | {med:.1f} | {best:.1f} | {ratio} |")


if __name__ == "__main__":
    main()
