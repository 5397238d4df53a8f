"""Billing export scale (not a test): a generated CUR 2.0 Parquet of N rows (default 10 million, about a mid-size
account's year), then `cost report` for one month of it in a fresh process: wall time and peak RSS.

The rows are the CUR fixture's real-price rows (tests/fixtures/cur, built from the catalog) repeated over a year
with distinct resource ids, sorted by usage start like AWS writes them. The file goes to /tmp (never git).

    python bench/billing.py [ROWS ...]        e.g. python bench/billing.py 1000000 3000000 10000000
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "cur" / "2026-11"


def generate(rows: int, path: Path, order: str = "line_item_usage_start_date") -> float:
    t = time.perf_counter()
    con = duckdb.connect()
    n = con.execute(f"SELECT count(*) FROM read_parquet('{FIXTURE}/*.parquet')").fetchone()[0]  # type: ignore[index]
    reps = -(-rows // n)
    # Each repetition lands on one hour of 2026 (reps spread evenly over the year).
    con.execute(f"""
        COPY (
          SELECT * FROM (SELECT * REPLACE (
                   TIMESTAMP '2026-01-01' + INTERVAL (CAST(r.i * 8760 / {reps} AS BIGINT)) HOUR AS
                     line_item_usage_start_date),
                 'arn:aws:ecs:ap-northeast-2:111122223333:task/' || r.i || '-' || f.k AS line_item_resource_id
          FROM (SELECT *, row_number() OVER () AS k FROM read_parquet('{FIXTURE}/*.parquet')) f,
               range({reps}) r(i)) ORDER BY {order}
          LIMIT {rows}
        ) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 122880)""")
    return time.perf_counter() - t


def report(path: Path, month: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of `cost report` for one month, in a child process (this process stays
    small: a forked child's peak counts the parent's pages until it execs)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as out:
        args = [sys.executable, "-m", "stackcost", "report", "--month", month, "--as-of", f"{month}-28",
                "--actuals", f"cur:{path}", "--format", "md", "--out", out]
        t = time.perf_counter()
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        if status:
            raise SystemExit(f"report failed: {proc.stderr.read().decode() if proc.stderr else status}")
    return wall, usage.ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    if sys.argv[1:2] == ["--generate"]:
        generate(int(sys.argv[2]), Path(sys.argv[3]), *sys.argv[4:5])
        return
    # --shuffled: rows in no time order (row-group statistics cannot skip the other months: a full scan)
    shuffled = "--shuffled" in sys.argv
    sizes = [int(a) for a in sys.argv[1:] if a.isdigit()] or [10_000_000]
    print(f"| rows{' (shuffled)' if shuffled else ''} | file MB | generate s | report one month s | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|")
    for rows in sizes:
        name = f"stackcost-bench-cur2-{rows}{'-shuffled' if shuffled else ''}.parquet"
        path = Path(tempfile.gettempdir()) / name
        gen = 0.0
        if not path.exists():  # in a child, so that DuckDB's memory is not this process's
            t = time.perf_counter()
            order = ["hash(line_item_resource_id)"] if shuffled else []
            subprocess.run([sys.executable, __file__, "--generate", str(rows), str(path), *order], check=True)
            gen = time.perf_counter() - t
        wall, rss = report(path, "2026-06")
        print(f"| {rows:,} | {path.stat().st_size / 1e6:,.0f} | {gen:.1f} | {wall:.1f} | {rss:,.0f} |")


if __name__ == "__main__":
    main()
