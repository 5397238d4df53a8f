"""Table of named bad inputs and faults across every command, run through the CLI's real entry point
(`stackcost.cli.main` with sys.argv set, in this process).

For every case: the exit code; stderr is exactly one `error: ...` line (progress `note:` lines aside; a bad flag's
line names the command and points to its --help); no traceback and no `internal error`; nothing on stdout (no
number printed beside an error); and the price catalog byte-identical afterwards (the cases that damage a catalog
get their own copy and check it was left as damaged, not "repaired" by a write).

The inputs are built here from the shipped preset and plain text, not by the code under test. Cases in areas
other branches own that fail today are marked xfail (strict=False) with the owning branch.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from stackcost import cli
from stackcost.paths import pricing_data_root
from stackcost.sizing.load import preset_text
from tests.bounded import time_limit

REGION = "ap-northeast-2"
PRESET = preset_text()
MINI = "region: ap-northeast-2\nenvironments:\n  production:\n    nat:\n      gateways: 2\n"



def preset(old: str, new: str) -> str:
    """The shipped preset with one exact text replaced (the replaced text must be there)."""
    assert old in PRESET, old
    return PRESET.replace(old, new, 1)


def laughs(levels: int, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\nregion: ap-northeast-2\nenvironments: {}\n"


@dataclass
class Case:
    name: str
    args: list[str]
    err: str = ""  # a piece of the one error line
    code: int = 2
    usage: bool = False  # argparse's complaint (a bad flag), as one line that points to --help
    files: dict[str, str | bytes] = field(default_factory=dict)  # written into the working directory
    links: dict[str, str] = field(default_factory=dict)  # symlink name -> target, in the working directory
    fifos: list[str] = field(default_factory=list)  # named pipes (nobody writes to them)
    damage: Callable[[Path], None] | None = None  # damages a private catalog copy (region dir) first
    xfail: str = ""
    warn: str = ""  # exit-0 cases: a piece of the expected warning line
    limit: float = 20  # seconds


def _manifest(d: Path) -> dict[str, Any]:
    return json.loads((d / "manifest.json").read_text())


def _put_manifest(d: Path, m: Any) -> None:
    (d / "manifest.json").write_text(json.dumps(m))


def _edit_record(field_name: str, value: Any, fix_checksum: bool = True) -> Callable[[Path], None]:
    """Set one field of the first AmazonECS record; update the manifest's checksum to match (a tamper that a
    checksum alone cannot catch)."""
    def go(d: Path) -> None:
        path = d / "AmazonECS.jsonl"
        lines = path.read_text().splitlines()
        rec = json.loads(lines[0])
        rec[field_name] = value
        lines[0] = json.dumps(rec)
        data = ("\n".join(lines) + "\n").encode()
        path.write_bytes(data)
        if fix_checksum:
            m = _manifest(d)
            m["offers"]["AmazonECS"]["sha256"] = hashlib.sha256(data).hexdigest()
            _put_manifest(d, m)
    return go


def _raw_record_line(text: str) -> Callable[[Path], None]:
    def go(d: Path) -> None:
        path = d / "AmazonECS.jsonl"
        lines = path.read_text().splitlines()
        lines[0] = text
        data = ("\n".join(lines) + "\n").encode()
        path.write_bytes(data)
        m = _manifest(d)
        m["offers"]["AmazonECS"]["sha256"] = hashlib.sha256(data).hexdigest()
        _put_manifest(d, m)
    return go


def _manifest_edit(fn: Callable[[dict[str, Any]], Any]) -> Callable[[Path], None]:
    def go(d: Path) -> None:
        m = _manifest(d)
        _put_manifest(d, fn(m))
    return go


def _drop(key: str) -> Callable[[dict[str, Any]], Any]:
    def fn(m: dict[str, Any]) -> Any:
        del m["offers"]["AmazonECS"][key]
        return m
    return fn


def _set_offer(key: str, value: Any) -> Callable[[dict[str, Any]], Any]:
    def fn(m: dict[str, Any]) -> Any:
        m["offers"]["AmazonECS"][key] = value
        return m
    return fn


OWN_CUR = "owned by #15 billing branch (report/actuals.py, report/cur.py)"
OWN_TF = "owned by #14 terraform branch (terraform/)"
OWN_OPT = "owned by the lead (optimize/sp_sizing.py reads the usage CSV)"

E = ["estimate", "--config", "c.yaml"]
R = ["report", "--month", "2026-11", "--format", "md", "--out", "out"]


def est(name: str, text: str | bytes, err: str = "", **kw: Any) -> Case:
    return Case(name, E, err, files={"c.yaml": text}, **kw)


CASES: list[Case] = [
    # -- sizing YAML: resource exhaustion ------------------------------------------------------------------
    est("billion-laughs-9-levels", laughs(9), "through aliases"),
    est("billion-laughs-6-levels-wide", laughs(6, 12), "through aliases"),
    est("alias-storm-many-references", "x: &x 1\ny: [" + ", ".join(["*x"] * 500) + "]\n", "alias references"),
    est("recursive-alias", "region: ap-northeast-2\nenvironments: &e {production: *e}\n", "recursive alias"),
    est("deep-nesting", "x: " + "[" * 5000 + "]" * 5000 + "\n", "nesting depth"),
    est("file-over-1mb", "# " + "x" * 1_100_000 + "\n" + MINI, "bytes"),
    est("long-line-echo-capped", preset("engine: redis", "engine: " + "r" * 200_000), "not allowed"),
    Case("config-dev-zero", ["estimate", "--config", "/dev/zero"], "not a regular file"),
    Case("config-dev-urandom", ["estimate", "--config", "/dev/urandom"], "not a regular file"),
    Case("config-dev-null", ["estimate", "--config", "/dev/null"], "not a regular file"),
    Case("config-is-directory", ["estimate", "--config", "."], "directory"),
    Case("config-missing", ["estimate", "--config", "nope.yaml"], "no such file"),
    Case("config-dangling-link", ["estimate", "--config", "l.yaml"], "no such file", links={"l.yaml": "gone.yaml"}),
    Case("config-link-loop", ["estimate", "--config", "l.yaml"], "cannot be read", links={"l.yaml": "l.yaml"}),
    # -- sizing YAML: silently wrong before ------------------------------------------------------------------
    est("duplicate-environment", PRESET + "  production:\n    hours_per_month: 730\n", "duplicate key 'production'"),
    est("duplicate-field", preset("gateways: 2 ", "gateways: 2\n      gateways: 1 "), "duplicate key 'gateways'"),
    est("duplicate-top-level", "region: ap-northeast-2\n" + MINI, "duplicate key 'region'"),
    est("sexagesimal-int", preset("gateways: 2 ", "gateways: 1:40 "), "base-60"),
    est("sexagesimal-float", preset("allocated_gb: 100", "allocated_gb: 1:40.5"), "base-60"),
    est("octal-int", preset("gateways: 2 ", "gateways: 010 "), "octal"),
    est("octal-negative", preset("gateways: 2 ", "gateways: -010 "), "octal"),
    est("yaml-nan", preset("allocated_gb: 100", "allocated_gb: .nan"), "finite"),
    est("yaml-inf", preset("allocated_gb: 100", "allocated_gb: .inf"), "finite"),
    est("yaml-minus-inf", preset("allocated_gb: 100", "allocated_gb: -.inf"), "finite"),
    est("string-nan", preset("allocated_gb: 100", "allocated_gb: 'NaN'"), "allocated_gb"),
    est("string-infinity", preset("allocated_gb: 100", "allocated_gb: 'Infinity'"), "allocated_gb"),
    est("huge-float-1e300-gb", preset("allocated_gb: 100", "allocated_gb: 1e300"), "too large"),
    est("huge-band", preset("data_out_gb: {low: 50, typical: 100, high: 300}",
                            "data_out_gb: {low: 50, typical: 100, high: 1.0e300}"), "too large"),
    est("huge-int-10e30-gateways", preset("gateways: 2 ", f"gateways: {10**30} "), "too large"),
    est("huge-int-5000-digits", preset("gateways: 2 ", "gateways: " + "9" * 5000 + " "), "too large"),
    est("huge-string-number", preset("allocated_gb: 100", "allocated_gb: '1e400'"), "too large"),
    est("negative-huge", preset("allocated_gb: 100", "allocated_gb: -1.0e300"), "too large"),
    est("tiny-exponent", preset("allocated_gb: 100", "allocated_gb: 1.0e-400"), "allocated_gb"),
    # -- sizing YAML: malformed -----------------------------------------------------------------------------
    est("empty-file", "", "expected a mapping"),
    est("only-comment", "# nothing\n", "expected a mapping"),
    est("top-level-list", "- 1\n- 2\n", "expected a mapping"),
    est("top-level-scalar", "hello\n", "expected a mapping"),
    est("two-documents", MINI + "---\n" + MINI, "another document"),
    est("unclosed-bracket", "environments: [\n", "c.yaml:"),
    est("bad-indentation", "environments:\n  production:\n nat: 1\n", "c.yaml:"),
    est("tab-indentation", "environments:\n\tproduction: {}\n", "c.yaml:"),
    est("non-utf8", MINI.encode() + b"\xff\xfe\n", "not UTF-8"),
    est("latin1-comment", b"# caf\xe9\n" + MINI.encode(), "not UTF-8"),
    est("nul-bytes", b"region: ap\x00northeast\n", "c.yaml"),
    est("python-object-tag", "x: !!python/object/apply:os.system ['true']\n", "constructor"),
    est("unknown-tag", "x: !custom 1\n", "constructor"),
    est("complex-key", "? [a, b]\n: 1\n", "c.yaml"),
    est("binary-junk", bytes(range(256)) * 4, "c.yaml"),
    est("unknown-field", preset("multi_az: true", "multi_azz: true"), "unknown field"),
    est("wrong-type-vcpu-text", preset("vcpu: 2 ", "vcpu: two "), "vcpu"),
    est("negative-count", preset("gateways: 2 ", "gateways: -3 "), "gateways"),
    est("fraction-for-int", preset("gateways: 2 ", "gateways: 2.7 "), "gateways"),
    est("bool-for-number", preset("allocated_gb: 100", "allocated_gb: yes"), "allocated_gb"),
    est("banana-bool", preset("multi_az: true", "multi_az: banana"), "multi_az"),
    est("list-for-section", MINI.replace("nat:\n      gateways: 2", "nat: [1, 2]"), "production.nat"),
    est("share-above-one", preset("ephemeral_storage_gb: 20", "ephemeral_storage_gb: 20\n        spot_share: 2"),
        "spot_share"),
    est("hours-over-744", preset("hours_per_month: 730 ", "hours_per_month: 1000 "), "hours_per_month"),
    est("bad-memory-for-vcpu", preset("memory_gb: 4", "memory_gb: 3"), "memory_gb"),
    est("band-low-above-high", preset("data_out_gb: {low: 50, typical: 100, high: 300}",
                                      "data_out_gb: {low: 500, typical: 100, high: 300}"), "data_out_gb"),
    est("unknown-engine", preset("engine: redis", "engine: memcachedx"), "engine"),
    est("environments-missing", "region: ap-northeast-2\n", "environments"),
    est("environment-is-list", "region: ap-northeast-2\nenvironments:\n  production: [1]\n", "production"),
    est("environments-empty", "region: ap-northeast-2\nenvironments: {}\n", ""),
    est("unknown-region", MINI.replace("ap-northeast-2", "xx-nowhere-1"), ""),
    Case("unknown-environment-argument", ["estimate", "nope", "--config", "c.yaml"], "nope", files={"c.yaml": MINI}),
    Case("environment-with-no-services", E, code=0, files={"c.yaml": "environments:\n  production: {}\n"},
         warn="names no service"),
    # -- ./cost.yaml convenience ----------------------------------------------------------------------------
    Case("cwd-cost-yaml-dangling-link", ["estimate"], "does not exist", links={"cost.yaml": "missing.yaml"}),
    Case("cwd-cost-yaml-link-loop", ["estimate"], "link loop", links={"cost.yaml": "cost.yaml"}),
    Case("cwd-cost-yaml-directory", ["estimate"], "directory", files={"cost.yaml/x": "x"}),
    Case("cwd-cost-yaml-duplicate", ["estimate"], "duplicate key",
         files={"cost.yaml": PRESET + "  production:\n    hours_per_month: 730\n"}),
    Case("cwd-cost-yaml-broken", ["optimize"], "cost.yaml", files={"cost.yaml": "environments: [\n"}),
    Case("cwd-cost-yaml-dangling-report", R, "does not exist", links={"cost.yaml": "missing.yaml"}),
    # -- estimate / compare / optimize flags ------------------------------------------------------------------
    Case("estimate-bad-format", ["estimate", "--format", "xml"], "--format", usage=True),
    Case("estimate-unknown-flag", ["estimate", "--bogus"], "--bogus", usage=True),
    Case("estimate-unknown-env-preset", ["estimate", "prod"], "prod"),
    Case("compare-missing-file", ["compare", "a.yaml", "b.yaml"], "no such file"),
    Case("compare-unknown-envs", ["compare", "nope1", "nope2"], "nope1"),
    Case("compare-dup-key-file", ["compare", "a.yaml", "production"], "duplicate key",
         files={"a.yaml": MINI + "region: x\n"}),
    Case("compare-missing-args", ["compare"], "required: a, b", usage=True),
    Case("optimize-bad-risk", ["optimize", "--risk", "extreme"], "--risk", usage=True),
    Case("optimize-usage-csv-missing", ["optimize", "--usage-csv", "u.csv"], "u.csv"),
    Case("optimize-usage-csv-directory", ["optimize", "--usage-csv", "."], "."),
    Case("optimize-usage-csv-dev-zero", ["optimize", "--usage-csv", "/dev/zero"], "", limit=1.5),
    Case("optimize-usage-csv-empty", ["optimize", "--usage-csv", "u.csv"], "tasks", files={"u.csv": ""}),
    Case("optimize-usage-csv-no-column", ["optimize", "--usage-csv", "u.csv"], "tasks", files={"u.csv": "x\n1\n"}),
    Case("optimize-usage-csv-nan", ["optimize", "--usage-csv", "u.csv"], "u.csv:3",
         files={"u.csv": "tasks\n2\nNaN\n"}),
    Case("optimize-usage-csv-inf", ["optimize", "--usage-csv", "u.csv"], "u.csv:2",
         files={"u.csv": "tasks\nInfinity\n"}),
    Case("optimize-usage-csv-negative", ["optimize", "--usage-csv", "u.csv"], "u.csv:2",
         files={"u.csv": "tasks\n-1\n"}),
    Case("optimize-usage-csv-text", ["optimize", "--usage-csv", "u.csv"], "u.csv:2",
         files={"u.csv": "tasks\nabc\n"}),
    Case("optimize-usage-csv-huge", ["optimize", "--usage-csv", "u.csv"], "", files={"u.csv": "tasks\n1e300\n"}),
    Case("optimize-usage-csv-short-row", ["optimize", "--usage-csv", "u.csv"], "",
         files={"u.csv": "hour,tasks\n1,2\n2\n"}),
    Case("optimize-usage-csv-non-utf8", ["optimize", "--usage-csv", "u.csv"], "", files={"u.csv": b"tasks\n\xff\n"}),
    Case("optimize-usage-csv-200kb-field", ["optimize", "--usage-csv", "u.csv"], "",
         files={"u.csv": "tasks\n" + "1" * 200_000 + "\n"}),
    Case("optimize-usage-without-service", ["optimize", "--usage-csv", "u.csv", "--usage-service", "nope"], "nope",
         files={"u.csv": "tasks\n2\n"}),
    # -- report: options ------------------------------------------------------------------------------------
    Case("report-month-9999-12", ["report", "--month", "9999-12"], "expected YYYY-MM"),
    Case("report-month-13", ["report", "--month", "2026-13"], "expected YYYY-MM"),
    Case("report-month-short-year", ["report", "--month", "26-11"], "expected YYYY-MM"),
    Case("report-month-text", ["report", "--month", "november"], "expected YYYY-MM"),
    Case("report-month-empty", ["report", "--month", ""], "expected YYYY-MM"),
    Case("report-month-1999", ["report", "--month", "1999-12"], "expected YYYY-MM"),
    Case("report-month-missing", ["report"], "required: --month", usage=True),
    Case("report-as-of-9999", [*R, "--as-of", "9999-12-31"], "expected YYYY-MM-DD"),
    Case("report-as-of-feb-30", [*R, "--as-of", "2026-02-30"], "expected YYYY-MM-DD"),
    Case("report-as-of-text", [*R, "--as-of", "today"], "expected YYYY-MM-DD"),
    Case("report-vat-negative", [*R, "--vat", "-1"], "--vat", usage=True),
    Case("report-vat-nan", [*R, "--vat", "nan"], "--vat", usage=True),
    Case("report-vat-over-one", [*R, "--vat", "10"], "--vat", usage=True),
    Case("report-vat-text", [*R, "--vat", "ten"], "--vat", usage=True),
    Case("report-budget-negative", [*R, "--budget", "-100"], "--budget", usage=True),
    Case("report-budget-nan", [*R, "--budget", "nan"], "--budget", usage=True),
    Case("report-budget-inf", [*R, "--budget", "inf"], "--budget", usage=True),
    Case("report-budget-zero", [*R, "--budget", "0"], "--budget", usage=True),
    Case("report-krw-nan", [*R, "--krw-rate", "nan"], "--krw-rate", usage=True),
    Case("report-krw-zero", [*R, "--krw-rate", "0"], "--krw-rate", usage=True),
    Case("report-krw-negative", [*R, "--krw-rate", "-1300"], "--krw-rate", usage=True),
    Case("report-krw-inf", [*R, "--krw-rate", "inf"], "--krw-rate", usage=True),
    Case("report-threshold-pct-nan", [*R, "--threshold-pct", "nan"], "--threshold-pct", usage=True),
    Case("report-threshold-usd-negative", [*R, "--threshold-usd", "-5"], "--threshold-usd", usage=True),
    Case("report-bad-format", ["report", "--month", "2026-11", "--format", "pdf"], "--format", usage=True),
    Case("report-bad-risk", [*R, "--risk", "yolo"], "--risk", usage=True),
    Case("report-unknown-env", [*R, "--env", "nope"], "nope"),
    Case("report-bad-actuals-spec", [*R, "--actuals", "ftp://bucket"], "actuals"),
    # s3:// is a billing source now: without credentials it is one line naming the bucket
    Case("report-s3-without-credentials", [*R, "--actuals", "s3://bucket"], "s3://bucket"),
    Case("report-out-unwritable", ["report", "--month", "2026-11", "--format", "md", "--out", "/proc/nope"],
         "cannot create"),
    Case("report-out-is-a-file", ["report", "--month", "2026-11", "--format", "md", "--out", "f"], "not a directory",
         files={"f": "x"}),
    Case("report-out-under-a-file", ["report", "--month", "2026-11", "--format", "md", "--out", "f/sub"],
         "cannot create", files={"f": "x"}),
    # -- report: actuals files (billing branch) -------------------------------------------------------------
    Case("report-csv-missing", [*R, "--actuals", "csv:a.csv"], "a.csv"),
    Case("report-csv-no-columns", [*R, "--actuals", "csv:a.csv"], "columns", files={"a.csv": "x,y\n1,2\n"}),
    Case("report-csv-nan-usd", [*R, "--actuals", "csv:a.csv"], "a.csv:2",
         files={"a.csv": "date,service,environment,USD\n2026-11-02,Fargate,production,NaN\n"}),
    Case("report-csv-infinity-usd", [*R, "--actuals", "csv:a.csv"], "a.csv:2",
         files={"a.csv": "date,service,environment,USD\n2026-11-02,Fargate,production,Infinity\n"}),
    Case("report-csv-text-usd", [*R, "--actuals", "csv:a.csv"], "a.csv:2",
         files={"a.csv": "date,service,environment,USD\n2026-11-02,Fargate,production,lots\n"}),
    Case("report-csv-bad-date", [*R, "--actuals", "csv:a.csv"], "a.csv:2",
         files={"a.csv": "date,service,environment,USD\nyesterday,Fargate,production,1\n"}),
    Case("report-csv-short-row", [*R, "--actuals", "csv:a.csv"], "a.csv",
         files={"a.csv": "date,service,environment,USD\n2026-11-02,Fargate\n"}),
    Case("report-csv-non-utf8", [*R, "--actuals", "csv:a.csv"], "a.csv",
         files={"a.csv": b"date,service,environment,USD\n2026-11-02,F\xffrgate,production,1\n"}),
    Case("report-csv-200kb-field", [*R, "--actuals", "csv:a.csv"], "a.csv",
         files={"a.csv": "date,service,environment,USD\n2026-11-02," + "F" * 200_000 + ",production,1\n"},
         ),
    Case("report-csv-directory", [*R, "--actuals", "csv:."], "."),
    Case("report-csv-dev-zero", [*R, "--actuals", "csv:/dev/zero"], "", limit=1.5),
    Case("report-cur-missing", [*R, "--actuals", "cur:nope.parquet"], "nope.parquet"),
    Case("report-cur-garbage", [*R, "--actuals", "cur:x.parquet"], "x.parquet",
         files={"x.parquet": b"PAR1 this is not parquet"}),
    Case("report-cur-empty-file", [*R, "--actuals", "cur:x.parquet"], "x.parquet", files={"x.parquet": b""}),
    Case("report-cur-csv-not-cur-columns", [*R, "--actuals", "cur:x.csv"], "x.csv",
         files={"x.csv": "line_item_usage_start_date,line_item_product_code,line_item_unblended_cost\n"
                         "2026-11-02T00:00:00Z,AmazonECS,NaN\n"}),
    # -- import terraform (terraform branch) --------------------------------------------------------------
    Case("tf-dir-missing", ["import", "terraform", "nope"], "not a directory"),
    Case("tf-dir-is-file", ["import", "terraform", "f.tf"], "not a directory", files={"f.tf": ""}),
    Case("tf-var-file-missing", ["import", "terraform", "tf", "--var-file", "x.tfvars"], "x.tfvars",
         files={"tf/main.tf": ""}),
    Case("tf-syntax-error", ["import", "terraform", "tf"], "main.tf", files={"tf/main.tf": "resource {{{\n"}),
    Case("tf-non-utf8", ["import", "terraform", "tf"], "main.tf", files={"tf/main.tf": b"# \xff\xfe\n"}),
    Case("tf-output-unwritable", ["import", "terraform", "tf", "-o", "/proc/nope/cost.yaml"], "cannot",
         files={"tf/main.tf": ""}),
    Case("tf-output-is-directory", ["import", "terraform", "tf", "-o", "d", "--force"], "directory",
         files={"tf/main.tf": "", "d/x": ""}),
    # -- init ---------------------------------------------------------------------------------------------
    Case("init-existing", ["init", "c.yaml"], "already exists", files={"c.yaml": MINI}),
    Case("init-existing-directory", ["init", "d"], "already exists", files={"d/x": ""}),
    Case("init-unwritable", ["init", "/proc/nope/cost.yaml"], "cannot"),
    Case("init-under-a-file", ["init", "f/cost.yaml"], "not a directory", files={"f": "x"}),
    # -- catalog: commands ----------------------------------------------------------------------------------
    Case("catalog-info-unknown-region", ["catalog", "info", "--region", "xx-nowhere-1"], "no price catalog"),
    Case("catalog-info-region-traversal", ["catalog", "info", "--region", "../../.."], "not an AWS region code"),
    Case("refresh-unknown-region", ["catalog", "refresh", "--region", "xx-nowhere-1", "--service", "AmazonECS"],
         "no price catalog"),
    Case("compare-yaml-is-directory", ["compare", "d.yaml", "production"], "directory", files={"d.yaml/x": ""}),
    Case("estimate-config-fifo", ["estimate", "--config", "p.yaml"], "not a regular file", fifos=["p.yaml"]),
    Case("catalog-info-bad-format", ["catalog", "info", "--format", "xml"], "--format", usage=True),
    Case("catalog-search-no-match", ["catalog", "search", "zzzz-no-such-thing"], "no price matches"),
    Case("catalog-search-long-text", ["catalog", "search", "q" * 100_000], "no price matches"),
    Case("catalog-build-from-missing", ["catalog", "build", "--from", "nope"], "not a directory"),
    Case("catalog-build-from-file", ["catalog", "build", "--from", "f"], "not a directory", files={"f": "x"}),
    Case("catalog-build-from-empty-dir", ["catalog", "build", "--from", "d", "--out", "o"], "d",
         files={"d/README": "x"}),
    Case("refresh-max-loss-nan", ["catalog", "refresh", "--max-loss", "nan"], "--max-loss", usage=True),
    Case("refresh-max-loss-inf", ["catalog", "refresh", "--max-loss", "inf"], "--max-loss", usage=True),
    Case("refresh-max-loss-negative", ["catalog", "refresh", "--max-loss", "-0.1"], "--max-loss", usage=True),
    Case("refresh-max-loss-over-one", ["catalog", "refresh", "--max-loss", "2"], "--max-loss", usage=True),
    Case("refresh-max-loss-text", ["catalog", "refresh", "--max-loss", "lots"], "--max-loss", usage=True),
    Case("refresh-bad-source", ["catalog", "refresh", "--source", "ftp"], "--source", usage=True),
    Case("refresh-unknown-service", ["catalog", "refresh", "--service", "AmazonXYZ"], "unknown service"),
    Case("refresh-endpoint-ftp", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint", "ftp://x"],
         "not an http(s) URL"),
    Case("refresh-endpoint-no-scheme", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint", "pricing"],
         "not an http(s) URL"),
    Case("refresh-endpoint-bad-port", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint",
                                       "http://127.0.0.1:port"], "not a usable URL"),
    Case("refresh-spot-url-file", ["catalog", "refresh", "--service", "FargateSpotFeed", "--spot-url",
                                   "file:///etc/passwd"], "not an http(s) URL"),
]

# Refresh against a misbehaving local server: {srv} is replaced by its URL. The faults that answer at once (no
# retry) run here; stalls, refused connections and 429/503 storms, which wait, are in test_refresh_faults.py.
SERVER_CASES: list[Case] = [
    Case("refresh-html-404", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint", "{srv}/html404"],
         "HTTP 404"),
    Case("refresh-html-200-index", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint", "{srv}/html200"],
         "HTML page"),
    Case("refresh-index-is-list", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint", "{srv}/list"],
         "not a Price List offer index"),
    Case("refresh-index-no-offers", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint", "{srv}/nooffers"],
         "not a Price List offer index"),
    Case("refresh-index-other-offer", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint", "{srv}/other"],
         "has no AmazonECS"),
    Case("refresh-index-malformed", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint", "{srv}/badjson"],
         "malformed JSON"),
    Case("refresh-index-short-body", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint", "{srv}/short"],
         "cut short"),
    Case("refresh-garbage-status", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint", "{srv}/garbage"],
         "bad status line"),
    Case("refresh-401", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint", "{srv}/401"], "HTTP 401"),
    Case("refresh-region-index-list", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint", "{srv}/rilist"],
         "not a Price List region index"),
    Case("refresh-offer-file-wrong-shape", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint",
                                            "{srv}/offerlist"], "no AmazonECS products"),
    Case("refresh-offer-file-html", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint",
                                     "{srv}/offerhtml"], "HTML page"),
    Case("refresh-offer-nan-price", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint",
                                     "{srv}/offernan"], "not a price"),
    Case("refresh-offer-negative-price", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint",
                                          "{srv}/offerneg"], "not a price"),
    Case("refresh-offer-product-is-list", ["catalog", "refresh", "--service", "AmazonECS", "--endpoint",
                                           "{srv}/offerprodlist"], "offer file"),
    Case("refresh-sp-index-dict", ["catalog", "refresh", "--service", "AWSDatabaseSavingsPlans", "--endpoint",
                                   "{srv}/spdict"], "not a Savings Plans region index"),
    Case("refresh-spot-list", ["catalog", "refresh", "--service", "FargateSpotFeed", "--spot-url", "{srv}/spotlist"],
         "not a Fargate Spot feed"),
    Case("refresh-spot-no-prices", ["catalog", "refresh", "--service", "FargateSpotFeed", "--spot-url",
                                    "{srv}/spotnoprices"], "not a Fargate Spot feed"),
    Case("refresh-spot-nan", ["catalog", "refresh", "--service", "FargateSpotFeed", "--spot-url", "{srv}/spotnan"],
         "not a price"),
    Case("refresh-spot-no-region", ["catalog", "refresh", "--service", "FargateSpotFeed", "--spot-url",
                                    "{srv}/spotother"], "no ap-northeast-2 prices"),
    Case("refresh-spot-html-error", ["catalog", "refresh", "--service", "FargateSpotFeed", "--spot-url",
                                     "{srv}/html200/feed.json"], "HTML page"),
]

# A damaged catalog (each case on its own copy): one line naming the file, and nothing written.
DAMAGE_CASES: list[Case] = [
    Case("catalog-manifest-is-list", ["estimate"], "not a catalog manifest", damage=lambda d: _put_manifest(d, [])),
    Case("catalog-manifest-no-offers", ["estimate"], "no `offers`",
         damage=_manifest_edit(lambda m: {k: v for k, v in m.items() if k != "offers"})),
    Case("catalog-manifest-offers-list", ["catalog", "info"], "no `offers`",
         damage=_manifest_edit(lambda m: {**m, "offers": []})),
    Case("catalog-manifest-no-sha256", ["estimate"], "lacks file/sha256/records", damage=_manifest_edit(
        _drop("sha256"))),
    Case("catalog-manifest-no-file", ["catalog", "info"], "lacks file/sha256/records",
         damage=_manifest_edit(_drop("file"))),
    Case("catalog-manifest-records-text", ["estimate"], "lacks file/sha256/records",
         damage=_manifest_edit(_set_offer("records", "many"))),
    Case("catalog-manifest-path-escape", ["estimate"], "outside the catalog",
         damage=_manifest_edit(_set_offer("file", "../../etc/passwd"))),
    Case("catalog-manifest-not-json", ["estimate"], "not valid JSON",
         damage=lambda d: (d / "manifest.json").write_text("{not json")),
    Case("catalog-manifest-empty", ["estimate"], "not valid JSON",
         damage=lambda d: (d / "manifest.json").write_text("")),
    Case("catalog-manifest-binary", ["catalog", "info"], "not valid JSON",
         damage=lambda d: (d / "manifest.json").write_bytes(b"\xff\xfe\x00")),
    Case("catalog-schema-version-2", ["estimate"], "schema_version",
         damage=_manifest_edit(lambda m: {**m, "schema_version": 2})),
    Case("catalog-manifest-missing", ["estimate"], "no price catalog", damage=lambda d: (d / "manifest.json").unlink()),
    Case("catalog-offer-file-missing", ["estimate"], "is missing from the catalog",
         damage=lambda d: (d / "AmazonECS.jsonl").unlink()),
    Case("catalog-offer-file-truncated", ["estimate"], "checksum",
         damage=lambda d: (d / "AmazonECS.jsonl").write_bytes((d / "AmazonECS.jsonl").read_bytes()[:100])),
    Case("catalog-price-changed-checksum-stale", ["estimate"], "checksum",
         damage=_edit_record("price_usd", "0.1", fix_checksum=False)),
    Case("catalog-price-negative", ["estimate"], "AmazonECS.jsonl:1", damage=_edit_record("price_usd", "-0.04656")),
    Case("catalog-price-nan", ["estimate"], "AmazonECS.jsonl:1", damage=_edit_record("price_usd", "NaN")),
    Case("catalog-price-snan", ["catalog", "info"], "AmazonECS.jsonl:1", damage=_edit_record("price_usd", "sNaN")),
    Case("catalog-price-infinity", ["estimate"], "AmazonECS.jsonl:1", damage=_edit_record("price_usd", "Infinity")),
    Case("catalog-price-text", ["estimate"], "AmazonECS.jsonl:1", damage=_edit_record("price_usd", "cheap")),
    Case("catalog-price-number-not-string", ["estimate"], "AmazonECS.jsonl:1", damage=_edit_record("price_usd", 0.04)),
    Case("catalog-price-null", ["estimate"], "AmazonECS.jsonl:1", damage=_edit_record("price_usd", None)),
    Case("catalog-upfront-negative", ["estimate"], "AmazonECS.jsonl:1", damage=_edit_record("upfront_usd", "-1")),
    Case("catalog-tier-nan", ["estimate"], "AmazonECS.jsonl:1", damage=_edit_record("tier_start", "NaN")),
    Case("catalog-record-unknown-field", ["estimate"], "AmazonECS.jsonl:1", damage=_edit_record("colour", "red")),
    Case("catalog-record-not-json", ["estimate"], "AmazonECS.jsonl:1", damage=_raw_record_line("{oops")),
    Case("catalog-record-is-list", ["estimate"], "AmazonECS.jsonl:1", damage=_raw_record_line("[1, 2]")),
    Case("catalog-published-max-garbage", ["catalog", "info"], "published_max",
         damage=_manifest_edit(_set_offer("published_max", "last tuesday"))),
    Case("catalog-services-not-list", ["catalog", "info"], "services",
         damage=_manifest_edit(_set_offer("services", 5))),
    Case("catalog-gaps-not-list", ["catalog", "info"], "`gaps`", damage=_manifest_edit(lambda m: {**m, "gaps": 1})),
    Case("catalog-gap-without-offering", ["catalog", "info"], "`gaps` entry",
         damage=_manifest_edit(lambda m: {**m, "gaps": [{"service": "RDS"}]})),
    Case("catalog-record-count-wrong", ["estimate"], "records, manifest says",
         damage=_manifest_edit(_set_offer("records", 1))),
]


def _all_cases() -> Iterator[Any]:
    for c in [*CASES, *SERVER_CASES, *DAMAGE_CASES]:
        marks = [pytest.mark.xfail(strict=False, reason=c.xfail)] if c.xfail else []
        yield pytest.param(c, id=c.name, marks=marks)


def test_at_least_150_named_cases() -> None:
    names = [c.name for c in [*CASES, *SERVER_CASES, *DAMAGE_CASES]]
    assert len(names) == len(set(names))
    assert len(names) >= 150


# -- the misbehaving server ---------------------------------------------------------------------------------

def _offer_doc(price: str) -> dict[str, Any]:
    """An offer file in the Price List layout whose one product is a Fargate vCPU-hour at `price`."""
    sku = "DS579H2QDYXPJDKE"
    return {"formatVersion": "v1.0", "offerCode": "AmazonECS", "publicationDate": "2025-01-01T00:00:00Z",
            "products": {sku: {"sku": sku, "productFamily": "Compute", "attributes": {
                "servicecode": "AmazonECS", "usagetype": "APN2-Fargate-vCPU-Hours:perCPU", "regionCode": REGION,
                "cputype": "perCPU", "operatingSystem": "Linux", "cpuArchitecture": "x86_64"}}},
            "terms": {"OnDemand": {sku: {f"{sku}.JRTCKXETXF": {
                "offerTermCode": "JRTCKXETXF", "priceDimensions": {f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                    "rateCode": f"{sku}.JRTCKXETXF.6YS6EN2CT7", "unit": "hours", "description": "x",
                    "pricePerUnit": {"USD": price}}}}}}}}


def _index(prefix: str) -> dict[str, Any]:
    return {"offers": {"AmazonECS": {"currentVersionUrl": f"/{prefix}/offer.json",
                                     "currentRegionIndexUrl": f"/{prefix}/region_index.json"}}}


def _region_index(prefix: str) -> dict[str, Any]:
    return {"regions": {REGION: {"currentVersionUrl": f"/{prefix}/offer.json"}}}


HTML = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>" + b"<p>x</p>" * 500 + \
    b"</body></html>"


def _routes() -> dict[str, tuple[int, str, bytes]]:
    j = "application/json"
    r: dict[str, tuple[int, str, bytes]] = {}

    def doc(path: str, obj: Any) -> None:
        r[path] = (200, j, json.dumps(obj).encode())

    r["/list/offers/v1.0/aws/index.json"] = (200, j, b"[]")
    doc("/nooffers/offers/v1.0/aws/index.json", {"formatVersion": "v1.0"})
    doc("/other/offers/v1.0/aws/index.json", {"offers": {"AmazonS3": {}}})
    r["/badjson/offers/v1.0/aws/index.json"] = (200, j, b'{"offers": {')
    doc("/rilist/offers/v1.0/aws/index.json", _index("rilist"))
    r["/rilist/region_index.json"] = (200, j, b"[1, 2]")
    for name, offer in (("offerlist", [1, 2]), ("offernan", _offer_doc("NaN")), ("offerneg", _offer_doc("-0.5")),
                        ("offerprodlist", {"products": {"X": [1]}, "terms": {}})):
        doc(f"/{name}/offers/v1.0/aws/index.json", _index(name))
        doc(f"/{name}/region_index.json", _region_index(name))
        doc(f"/{name}/offer.json", offer)
    doc("/offerhtml/offers/v1.0/aws/index.json", _index("offerhtml"))
    doc("/offerhtml/region_index.json", _region_index("offerhtml"))
    r["/offerhtml/offer.json"] = (200, "text/html", HTML)
    doc("/spdict/savingsPlan/v1.0/aws/AWSDatabaseSavingsPlans/current/region_index.json", {"regions": {"a": 1}})
    r["/spotlist"] = (200, j, b"[]")
    doc("/spotnoprices", {"pricez": []})
    doc("/spotnan", {"prices": [{"attributes": {"aws:region": REGION}, "unit": "vCPU-Hours", "price": {"USD": "NaN"}}]})
    doc("/spotother", {"prices": [{"attributes": {"aws:region": "us-east-1"}, "unit": "vCPU-Hours",
                                   "price": {"USD": "0.01"}}]})
    return r


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {}

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        top = path.split("/")[1]
        if top == "garbage":
            self.wfile.write(b"HELLO THERE\r\n\r\n")
            self.close_connection = True
            return
        if top == "short":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b'{"offers": {')
            self.close_connection = True
            return
        if top in ("html404", "401"):
            code = 404 if top == "html404" else 401
            self.send_response(code)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(HTML)))
            self.end_headers()
            self.wfile.write(HTML)
            return
        if top == "html200":
            code, ctype, body = 200, "text/html", HTML
        else:
            code, ctype, body = self.routes.get(path, (404, "text/plain", b"not found"))
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    _Handler.routes = _routes()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


# -- running a case -------------------------------------------------------------------------------------------

def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


@pytest.fixture(scope="module")
def shared_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dst = tmp_path_factory.mktemp("catalog") / "pricing_data"
    shutil.copytree(pricing_data_root(), dst)
    return dst


def run_cli(args: list[str], cwd: Path, catalog_root: Path, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("STACKCOST_PRICING_DATA", str(catalog_root))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setattr(sys, "argv", ["cost", *args])
    monkeypatch.setattr(tempfile, "tempdir", str(cwd.parent))  # crash reports of xfail cases stay in tmp_path
    capsys.readouterr()
    code: Any = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return (code if isinstance(code, int) else (0 if code is None else 1)), out, err


def check(case: Case, code: int, out: str, err: str) -> None:
    assert "Traceback" not in err and "Traceback" not in out, err[-2000:]
    assert "internal error" not in err, err
    assert code == case.code, (code, err[-1000:])
    if case.usage:  # a malformed command line: one line naming the command and its help
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: cost ") and "--help)" in lines[0], err
        assert case.err in lines[0], lines[0]
        assert out == ""
        return
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("note: ")]
    if case.code == 0:
        assert any(case.warn in ln and ln.startswith("warning: ") for ln in lines), err
        return
    assert len(lines) == 1, err[-2000:]
    assert lines[0].startswith("error: "), lines[0]
    assert case.err in lines[0], lines[0]
    assert len(lines[0]) <= 600, f"{len(lines[0])} characters"
    assert out == "", out[:500]


def _prepare(case: Case, cwd: Path) -> None:
    for name, content in case.files.items():
        p = cwd / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    for name, target in case.links.items():
        os.symlink(target, cwd / name)
    for name in case.fifos:
        os.mkfifo(cwd / name)


@pytest.mark.parametrize("case", list(_all_cases()))
def test_bad_input(case: Case, tmp_path: Path, shared_catalog: Path, server: str,
                   monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    _prepare(case, cwd)
    root = shared_catalog
    if case.damage is not None:
        root = tmp_path / "pricing_data"
        shutil.copytree(shared_catalog, root)
        case.damage(root / REGION)
    before = _digest(root)
    args = [a.replace("{srv}", server) for a in case.args]
    with time_limit(case.limit):
        code, out, err = run_cli(args, cwd, root, monkeypatch, capsys)
    check(case, code, out, err)
    assert _digest(root) == before, "the catalog changed"


# -- Ctrl-C early ------------------------------------------------------------------------------------------------

EARLY = "import os, stackcost._entry as e; os.write(1, b'R'); e.main()"


@pytest.mark.parametrize("delay_s", [0.0, 0.01, 0.03, 0.06, 0.1, 0.2, 0.4, 0.5, 0.6, 0.8])
def test_ctrl_c_early_is_one_line_and_130(delay_s: float, shared_catalog: Path) -> None:
    """From the moment the entry module is loaded (the marker byte), through every import and into the command,
    SIGINT ends in `interrupted` and exit 130: never a traceback. The later delays land near the end of a cold
    optimize, where an interrupt during the interpreter's teardown used to kill the process by signal."""
    import signal
    import subprocess
    import time

    root = Path(__file__).parent.parent
    env = {**os.environ, "STACKCOST_PRICING_DATA": str(shared_catalog), "PYTHONPATH": str(root / "src")}
    with time_limit(30):
        p = subprocess.Popen([sys.executable, "-c", EARLY, "optimize", "--format", "json"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env, cwd=root)
        assert p.stdout is not None and p.stdout.read(1) == b"R"
        time.sleep(delay_s)
        p.send_signal(signal.SIGINT)
        _out, err = p.communicate(timeout=20)
    if p.returncode == 0:  # the command finished before the signal arrived: nothing to check
        return
    assert p.returncode == 130, (p.returncode, err[-500:])
    assert err.decode() == "interrupted\n"


# -- library guarantees the CLI relies on ----------------------------------------------------------------------

def test_load_stack_never_reads_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from stackcost.sizing.load import load_stack, resolve_config

    (tmp_path / "cost.yaml").write_text("environments: [\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    stack, source = load_stack(None)
    assert source.startswith("embedded preset") and "production" in stack.environments
    assert resolve_config(None) == Path("cost.yaml")  # only the CLI helper looks here
    assert resolve_config(Path("other.yaml")) == Path("other.yaml")


def test_echo_of_a_huge_shared_structure_is_short() -> None:
    from stackcost.safeio import echo

    row = ["lol"] * 1000
    huge = [row] * 1000  # a million items by reference, as YAML aliases build them
    shown = echo({"x": huge, "y": "z" * 10_000_000, "n": 10**100_000})
    assert len(shown) <= 80
    assert len(echo(10**100_000)) <= 80 and len(echo("a\nb" * 1000)) <= 80


def test_a_terraform_value_that_is_not_a_number_makes_its_resource_unresolved(tmp_path: Path) -> None:
    """Issue #14: a value that cannot be evaluated makes that one resource `unresolved` with file:line, never a
    silent 1 and never the whole import failing."""
    import json
    import subprocess
    import sys

    tf = tmp_path / "tf"
    tf.mkdir()
    (tf / "main.tf").write_text('resource "aws_nat_gateway" "n" {\n  count = "abc"\n  allocation_id = "x"\n'
                                '  subnet_id = "y"\n}\n')
    r = subprocess.run([sys.executable, "-m", "stackcost", "import", "terraform", str(tf), "-o",
                        str(tmp_path / "o.yaml"), "--format", "json"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    (nat,) = json.loads(r.stdout)["resources"]
    assert nat["status"] == "unresolved" and "count" in nat["reason"] and nat["file"].endswith("main.tf:1")
    assert "nat:" not in (tmp_path / "o.yaml").read_text()  # nothing priced for it
