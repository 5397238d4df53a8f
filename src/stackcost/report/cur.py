"""`cur:PATH` as before: any billing export file, directory or glob (the format is detected from the columns)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from stackcost.report.actuals import Actuals


def read_cur(path: Path, month_start: date, month_end: date, tag_key: str = "Environment") -> Actuals:
    from stackcost.report.billing.read import read_files

    return read_files(str(path), month_start, month_end, tag_key=tag_key)
