"""Hostile inputs: how long refusing them takes and how much memory it needs, each case in a fresh child process
(peak RSS = ru_maxrss of that child alone). Also the cost of the YAML guard on the shipped preset.

Run: `python bench/hostile_inputs.py`. Cases:
- billion-laughs-9: 9 levels of 9 aliases (~500 bytes; 387 million strings if expanded)
- dev-zero / dev-urandom: `--config` pointing at a device
- big-yaml: a 1,000,000-byte comment (the size limit) then the preset
- preset-plain / preset-guarded: YAML parse of the preset with PyYAML's own safe loader vs the guarded loader
- preset-stack: the whole load (guarded YAML, magnitude check, pydantic validation)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
case, path = sys.argv[1], sys.argv[2]
from stackcost.errors import StackcostError
from stackcost.sizing.load import load_stack, preset_text
import yaml
runs = 50 if case.startswith("preset") else 1
best = float("inf")
outcome = "accepted"
for _ in range(runs):
    start = time.perf_counter()
    try:
        if case == "preset-plain":
            yaml.load(preset_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        elif case == "preset-guarded":
            from stackcost.safeio import load_yaml
            load_yaml(preset_text(), "preset")
        elif case == "preset-stack":
            load_stack(None)
        else:
            load_stack(Path(path))
    except StackcostError as exc:
        outcome = str(exc)[:70]
    best = min(best, time.perf_counter() - start)  # best of the runs: the machine is shared
print(json.dumps({"ms": round(best * 1000, 2), "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF)
                  .ru_maxrss / 1024, 1), "outcome": outcome}))
"""


def laughs(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def main() -> None:
    from stackcost.sizing.load import preset_text

    with tempfile.TemporaryDirectory() as tmp:
        files = {"billion-laughs-9": Path(tmp) / "laughs.yaml", "big-yaml": Path(tmp) / "big.yaml"}
        files["billion-laughs-9"].write_text(laughs())
        files["big-yaml"].write_text("# " + "x" * (1_000_000 - 3 - len(preset_text().encode())) + "\n"
                                     + preset_text())
        cases = {**{k: str(v) for k, v in files.items()}, "dev-zero": "/dev/zero", "dev-urandom": "/dev/urandom",
                 "preset-plain": "", "preset-guarded": "", "preset-stack": ""}
        print(f"{'case':<18} {'ms':>8} {'peak MB':>8}  outcome")
        for case, path in cases.items():
            r = subprocess.run([sys.executable, "-c", CHILD, case, path, str(ROOT / "src")], capture_output=True,
                               text=True, timeout=120)
            row = json.loads(r.stdout)
            print(f"{case:<18} {row['ms']:>8} {row['peak_mb']:>8}  {row['outcome']}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
