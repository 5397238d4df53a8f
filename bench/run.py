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


def cold(commands: dict[str, list[str]], rounds: int = 11) -> dict[str, tuple[float, float]]:
    """Median and minimum ms of each command in a new process, run in turn round after round: this machine's
    speed drifts by tens of percent within a minute, and interleaving gives every command (and the `python -c
    pass` baseline) the same share of fast and slow moments."""
    # A user's Python caches bytecode; this machine's environment sets PYTHONDONTWRITEBYTECODE, which would time
    # compiling every module on every run. Drop it, and let one untimed run write the cache.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"COLUMNS": "200"}
    samples: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as cwd:  # no ./cost.yaml: the embedded preset
        for args in commands.values():
            subprocess.run(args, cwd=cwd, check=True, capture_output=True, env=env)
        for _ in range(rounds):
            for name, args in commands.items():
                t = time.perf_counter()
                subprocess.run(args, cwd=cwd, check=True, capture_output=True, env=env)
                samples[name].append((time.perf_counter() - t) * 1000)
    return {name: (statistics.median(v), min(v)) for name, v in samples.items()}


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
    from stackcost.regions import region
    from stackcost.sizing.load import load_stack
    from stackcost.ui.scenario import apply, stack_with

    catalog = Catalog.load()
    stack, _ = load_stack(None)
    # A year of hourly on-demand usage of an autoscaled service: 2 tasks at night, 4 in office hours, each task
    # 2 vCPU and 4 GB at the catalog's Fargate rates.
    where = region(catalog.region)
    vcpu = float(catalog.price("AmazonECS", usage_type=where.usage_type("Fargate-vCPU-Hours:perCPU")).price)
    gb = float(catalog.price("AmazonECS", usage_type=where.usage_type("Fargate-GB-Hours")).price)
    hours = np.arange(8760)
    usage = np.where((hours % 24 >= 8) & (hours % 24 < 20), 4, 2) * (2 * vcpu + 4 * gb)
    candidates = np.linspace(0, usage.max() * 0.8, 1000)
    records = len(catalog.records)

    def verified() -> None:
        Catalog.load().verify()

    rows = [
        ("catalog load (manifest read, offers opened; each is read, checksummed and parsed on first use)",
         *timed(Catalog.load)),
        (f"catalog load + every offer read, checksummed and parsed ({records:,} records)", *timed(verified)),
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
    ]
    cost = [sys.executable, "-m", "stackcost"]
    base_name = "python -c pass (interpreter start, cold)"
    # The floor under every `cost` command: the sizing read and validated (pydantic's import, the model classes,
    # YAML, one validation), nothing priced. The CLI skips pydantic's plugin scan; so does this.
    floor = ("import os; os.environ.setdefault('PYDANTIC_DISABLE_PLUGINS', '__all__'); "
             "from stackcost.sizing.load import load_stack; load_stack(None)")
    runs = cold({base_name: [sys.executable, "-c", "pass"],
                 "floor: the preset sizing loaded and validated, nothing priced (cold)": [sys.executable, "-c",
                                                                                          floor],
                 "cost estimate production --format json (cold)": [*cost, "estimate", "production", "--format",
                                                                    "json"],
                 "cost estimate production, table (cold)": [*cost, "estimate", "production"],
                 "cost optimize production --format json (cold)": [*cost, "optimize", "production", "--format",
                                                                    "json"]})
    # Ratios of medians and of minimums: noise only ever adds time, so the minimums' ratio moves least.
    base, base_min = runs[base_name]
    print(f"| measurement ({os.cpu_count()} cores) | median ms | min ms | × python -c pass (medians) | (minimums) |")
    print("|---|--:|--:|--:|--:|")
    for name, med, best in rows:
        print(f"| {name} | {med:.1f} | {best:.1f} |  |  |")
    for name, (med, best) in runs.items():
        print(f"| {name} | {med:.1f} | {best:.1f} | {med / base:.1f}× | {best / base_min:.1f}× |")


if __name__ == "__main__":
    main()
