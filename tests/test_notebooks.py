"""The notebooks run top to bottom on the installed package (committed without outputs); each states its question
and ends with an answer sentence computed from the data; every chart is a static SVG (no JavaScript, no CDN), so it
shows offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from tests.test_report_render import ESTIMATES

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
# The preset's totals worked by hand from the published prices: production from tests/pricelist_fixtures.py
# production_lines_by_hand(), staging and development from the hand tables in tests/test_report_render.py.
PRODUCTION = f"${ESTIMATES['production']:,.2f}"
ALL_THREE = f"${sum(ESTIMATES.values()):,.2f}"
ANSWERS = {"01-estimate.ipynb": [f"production costs {PRODUCTION} a month", f"together cost {ALL_THREE} a month"],
           "02-sensitivity.ipynb": ["moves production's cost most"],
           "03-commitments.ipynb": [f"from {PRODUCTION} to $", "are indicative"]}


def test_there_are_three() -> None:
    assert [p.name for p in NOTEBOOKS] == ["01-estimate.ipynb", "02-sensitivity.ipynb", "03-commitments.ipynb"]


def _text(output: dict[str, Any]) -> str:
    data = output.get("data", {})
    return str(data.get("text/markdown", "")) + str(data.get("text/plain", "")) + str(output.get("text", ""))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_answers_its_question(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit notebooks without outputs"
    assert "**Question.**" in nb.cells[0].source
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert all(o.get("output_type") != "error" for o in outputs)
    charts = [o for o in outputs if "vega" in " ".join(o.get("data", {})) or "image/svg+xml" in o.get("data", {})]
    assert charts and all(set(o["data"]) & {"image/svg+xml"} and not any("vega" in k for k in o["data"])
                          for o in charts), "charts must be static SVG"
    assert not any("cdn.jsdelivr" in str(o) or "<script" in str(o.get("data", {}).get("text/html", ""))
                   for o in outputs)
    answer = _text(nb.cells[-1].outputs[-1])
    assert answer.startswith("**Answer:**"), answer
    for part in ANSWERS[path.name]:
        assert part in answer, answer
