"""`cost diff` on a fixture git repository built from the guide's Terraform (see tests/test_diff_support.py).

Expected amounts are worked out here from the published price strings in tests/fixtures/aws-prices/seoul_prices.csv
(read with the csv module, not through the catalog), with the estimate's documented convention: 730 hours a
month, each line rounded once to the cent (half up), deltas taken between rounded lines.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.test_diff_support import git, make_repo

SRC = Path(__file__).resolve().parents[1] / "src"
PRICES = Path(__file__).parent / "fixtures" / "aws-prices" / "seoul_prices.csv"
HOURS = Decimal(730)


def cents(v: Decimal) -> Decimal:
    return v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def price_rows(usage_type: str, **attrs: str) -> list[dict[str, str]]:
    with PRICES.open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["usage_type"] == usage_type and r["term"] == "OnDemand"
                and all(f"{k}={v}" in r["attributes"] for k, v in attrs.items())]


def on_demand(usage_type: str, **attrs: str) -> Decimal:
    """The on-demand price string of one row of the published price file."""
    rows = price_rows(usage_type, **attrs)
    assert len(rows) == 1, f"{usage_type} {attrs}: {len(rows)} rows"
    return Decimal(rows[0]["price_usd"])


def cost(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run([sys.executable, "-m", "stackcost", "diff", *args], cwd=repo, env=env, text=True,
                          capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("diffrepo") / "infra"
    return root, make_repo(root)


@pytest.fixture(scope="module")
def two(repo: tuple[Path, dict[str, str]]) -> dict[str, Any]:
    """The JSON of commit 1 -> commit 2 (task count and DB class), production only."""
    root, ids = repo
    r = cost(root, "origin/main", ids["two"], "--path", "terraform", "--env", "production", "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def _env(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in doc["environments"] if e["name"] == name)


def _change(env: dict[str, Any], needle: str) -> dict[str, Any]:
    found = [c for c in env["changes"] if needle in c["component"]]
    assert len(found) == 1, (needle, env["changes"])
    return found[0]


# -- numbers by hand ------------------------------------------------------------------------------------------

def test_task_count_and_class_change_priced_by_hand(two: dict[str, Any]) -> None:
    vcpu = on_demand("APN2-Fargate-vCPU-Hours:perCPU")  # "0.04656"
    gb = on_demand("APN2-Fargate-GB-Hours")  # "0.00511"
    t3 = on_demand("APN2-Multi-AZUsage:db.t3.medium", databaseEngine="PostgreSQL")  # "0.224"
    m7g = on_demand("APN2-Multi-AZUsage:db.m7g.large", databaseEngine="PostgreSQL")  # "0.4688"
    # Fargate: 2 -> 3 tasks of 2 vCPU and 4 GB, 730 h each.
    vcpu_before, vcpu_after = cents(HOURS * 2 * 2 * vcpu), cents(HOURS * 3 * 2 * vcpu)
    mem_before, mem_after = cents(HOURS * 2 * 4 * gb), cents(HOURS * 3 * 4 * gb)
    db_before, db_after = cents(HOURS * t3), cents(HOURS * m7g)
    prod = _env(two, "production")
    for needle, before, after in (("vCPU", vcpu_before, vcpu_after), ("memory", mem_before, mem_after),
                                  ("instance", db_before, db_after)):
        c = _change(prod, needle)
        assert c["status"] == "changed"
        assert (Decimal(c["before_usd"]), Decimal(c["after_usd"])) == (before, after)
        assert Decimal(c["delta_usd"]) == after - before
    # One more 2 vCPU / 4 GB task = 730 × (2 × 0.04656 + 4 × 0.00511) = 82.8988 before rounding; the estimate
    # rounds each line, so the two Fargate lines move by 67.97 + 14.92 = 82.89 (the example delta).
    assert (vcpu_after - vcpu_before) + (mem_after - mem_before) == Decimal("82.89")
    assert abs(HOURS * (2 * vcpu + 4 * gb) - Decimal("82.89")) < Decimal("0.01")
    expected = (vcpu_after - vcpu_before) + (mem_after - mem_before) + (db_after - db_before)
    assert len(prod["changes"]) == 3  # nothing else moved
    assert Decimal(prod["delta_usd"]) == expected
    assert Decimal(prod["after_monthly_usd"]) - Decimal(prod["before_monthly_usd"]) == expected
    assert Decimal(prod["delta_pct"]) == cents(expected / Decimal(prod["before_monthly_usd"]) * 100)
    # The band: in the low scenario tasks run as desired (the whole delta); in the high one both sides run the
    # autoscaling maximum (production.tfvars max_capacity = 4) all month, so only the DB class moves.
    assert Decimal(prod["delta_high_usd"]) == expected
    assert Decimal(prod["delta_low_usd"]) == db_after - db_before


def test_json_contract_keys_and_decimal_strings(repo: tuple[Path, dict[str, str]], two: dict[str, Any]) -> None:
    _, ids = repo
    assert set(two) == {"base", "head", "environments"}
    assert two["base"] == f"origin/main ({ids['one'][:7]})" and two["head"].startswith(ids["two"])
    prod = _env(two, "production")
    assert set(prod) == {"name", "before_monthly_usd", "after_monthly_usd", "delta_usd", "delta_pct",
                         "delta_low_usd", "delta_high_usd", "changes", "commitments"}
    for k in ("before_monthly_usd", "after_monthly_usd", "delta_usd", "delta_pct", "delta_low_usd",
              "delta_high_usd"):
        assert isinstance(prod[k], str) and re.fullmatch(r"-?\d+\.\d\d", prod[k]), (k, prod[k])
    for c in prod["changes"]:
        assert set(c) == {"key", "service", "component", "status", "before_usd", "after_usd", "delta_usd"}
        assert c["status"] in ("changed", "added", "removed")
        assert all(re.fullmatch(r"-?\d+\.\d\d", c[k]) for k in ("before_usd", "after_usd", "delta_usd"))


def test_class_change_is_one_changed_line_with_a_stable_key(two: dict[str, Any]) -> None:
    prod = _env(two, "production")
    db = _change(prod, "db.m7g.large")
    assert db["service"] == "RDS PostgreSQL" and db["status"] == "changed"
    assert "db.t3.medium" not in db["key"] and "db.m7g.large" not in db["key"]
    assert not [c for c in prod["changes"] if c["status"] in ("added", "removed")]


def test_commitment_that_no_longer_matches(two: dict[str, Any]) -> None:
    lines = _env(two, "production")["commitments"]
    rds = [x for x in lines if x.startswith("db.t3.medium")]
    assert len(rds) == 1
    assert "no longer matches: the new class is db.m7g.large" in rds[0]


def test_all_environments_pair_each_var_file(repo: tuple[Path, dict[str, str]]) -> None:
    root, ids = repo
    r = cost(root, "origin/main", ids["two"], "--path", "terraform", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [e["name"] for e in doc["environments"]] == ["production", "staging"]
    staging = _env(doc, "staging")
    assert staging["changes"] == [] and staging["delta_usd"] == "0.00"


def test_aurora_commit_is_added_or_marked_not_priced(repo: tuple[Path, dict[str, str]]) -> None:
    root, ids = repo
    r = cost(root, ids["two"], ids["three"], "--path", "terraform", "--env", "production", "--format", "json")
    assert r.returncode == 0, r.stderr
    prod = _env(json.loads(r.stdout), "production")
    aurora = [c for c in prod["changes"] if c["service"] == "Aurora"]
    assert aurora and all(c["status"] == "added" for c in aurora)
    priced = [c for c in aurora if c["after_usd"] is not None]
    unpriced = [c for c in aurora if c["after_usd"] is None]
    # Either the cluster is priced, or it is listed as NOT PRICED with unknown amounts (never $0).
    assert priced or any(c["key"] == "terraform:modules/aurora/aws_rds_cluster.main" for c in unpriced)
    assert all(c["before_usd"] is None and c["delta_usd"] is None for c in unpriced)
    if not priced:
        pytest.skip("Aurora lines are not priced on this branch (the Aurora pricer and its import come from the "
                    "model and terraform branches); the commit is shown as NOT PRICED")
    rows = price_rows("APN2-InstanceUsage:db.r6g.large", databaseEngine="Aurora PostgreSQL")
    if len(rows) != 1:
        pytest.skip("no single Aurora PostgreSQL db.r6g.large price string in seoul_prices.csv to check by hand")
    line = next((c for c in priced if "db.r6g.large" in c["component"]), None)
    assert line is not None, f"no Aurora line names the writer's class db.r6g.large: {priced}"
    assert Decimal(line["after_usd"]) == cents(HOURS * Decimal(rows[0]["price_usd"]))  # one writer, 730 h


def test_unpriced_resource_in_text_and_github(repo: tuple[Path, dict[str, str]]) -> None:
    root, ids = repo
    text = cost(root, ids["two"], ids["three"], "--path", "terraform", "--env", "production")
    assert text.returncode == 0, text.stderr
    if "NOT PRICED" not in text.stdout:
        pytest.skip("Aurora is priced on this build: nothing is unpriced")
    assert "not priced" in text.stdout  # the amounts say so too, never $0.00
    gh = cost(root, ids["two"], ids["three"], "--path", "terraform", "--env", "production", "--format", "github")
    assert "not priced" in gh.stdout and "`modules/aurora/aws_rds_cluster.main`" in gh.stdout


# -- usage bands from two sizing YAMLs ------------------------------------------------------------------------

def test_usage_change_band_and_assumption(tmp_path: Path) -> None:
    from stackcost.sizing.load import preset_text

    base = preset_text()
    old = "data_processed_gb: {low: 30, typical: 100, high: 300}"
    assert base.count(old) == 1
    (tmp_path / "a.yaml").write_text(base, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(base.replace(old, "data_processed_gb: {low: 60, typical: 200, high: 600}"),
                                     encoding="utf-8")
    r = cost(tmp_path, "a.yaml", "b.yaml", "--env", "production", "--format", "json")
    assert r.returncode == 0, r.stderr
    prod = _env(json.loads(r.stdout), "production")
    per_gb = on_demand("APN2-NatGateway-Bytes")  # "0.059"
    assert [c["component"] for c in prod["changes"]] == ["data processed"]
    low, typ, high = (cents(q2 * per_gb) - cents(q1 * per_gb) for q1, q2 in ((30, 60), (100, 200), (300, 600)))
    assert (Decimal(prod["delta_low_usd"]), Decimal(prod["delta_usd"]), Decimal(prod["delta_high_usd"])) == \
        (low, typ, high)
    t = cost(tmp_path, "a.yaml", "b.yaml", "--env", "production")
    assert "production.nat.data_processed_gb: 100 (30–300) → 200 (60–600)" in t.stdout


# -- Markdown and the GitHub comment, structurally ------------------------------------------------------------

def tables(md: str) -> list[list[list[str]]]:
    """Every pipe table: rows of cells (header first, the separator row checked and dropped)."""
    out: list[list[list[str]]] = []
    block: list[str] = []
    for line in [*md.splitlines(), ""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if block:
            rows = [[c.strip() for c in re.split(r"(?<!\\)\|", b.strip())[1:-1]] for b in block]
            assert len(rows) >= 2 and all(re.fullmatch(r":?-+:?", c) for c in rows[1]), block
            assert all(len(r) == len(rows[0]) for r in rows), block
            out.append([rows[0], *rows[2:]])
            block = []
    return out


def test_markdown_tables_parse_and_hold_the_amounts(repo: tuple[Path, dict[str, str]], two: dict[str, Any]) -> None:
    root, ids = repo
    r = cost(root, "origin/main", ids["two"], "--path", "terraform", "--env", "production", "--format", "markdown")
    assert r.returncode == 0, r.stderr
    summary, changes = tables(r.stdout)
    prod = _env(two, "production")
    assert summary[0][0] == "Environment" and summary[1][0] == "production"
    assert f"${Decimal(prod['before_monthly_usd']):,.2f}" in summary[1]
    assert f"**+${Decimal(prod['delta_usd']):,.2f}**" in summary[1]
    assert len(changes) == 1 + len(prod["changes"])
    for c in prod["changes"]:
        row = next(x for x in changes[1:] if c["component"] in x[2])
        assert row[0] == c["status"] and row[5] == f"+${Decimal(c['delta_usd']):,.2f}"


def test_github_comment_reads_in_ten_seconds(repo: tuple[Path, dict[str, str]], two: dict[str, Any]) -> None:
    root, ids = repo
    r = cost(root, "origin/main", ids["two"], "--path", "terraform", "--format", "github")
    assert r.returncode == 0, r.stderr
    body = r.stdout
    assert body.splitlines()[0] == "<!-- stackcost-cost-diff -->"
    summary = tables(body)[0]
    assert [row[0] for row in summary[1:]] == ["production", "staging"]
    assert body.count("<details>") == body.count("</details>") >= 1
    head, _, _ = body.partition("<details>")  # what shows before anything is expanded
    assert f"+${Decimal(_env(two, 'production')['delta_usd']):,.2f}" in head
    assert "no longer matches: the new class is db.m7g.large" in head
    assert re.search(r"published \d{4}-\d\d-\d\d( to \d{4}-\d\d-\d\d)?", body)
    assert "assumption" in body


# -- the policy gate ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("limit", "code"), [("100", 3), ("$300", 0), ("40%", 3), ("50%", 0)])
def test_fail_above(repo: tuple[Path, dict[str, str]], two: dict[str, Any], limit: str, code: int) -> None:
    # 1 -> 2 raises production by 261.59 (above 100, not 300), 44.31 % of 590.32 (above 40 %, not 50 %).
    prod = _env(two, "production")
    assert Decimal("100") < Decimal(prod["delta_usd"]) < Decimal("300")
    assert Decimal("40") < Decimal(prod["delta_pct"]) < Decimal("50")
    root, ids = repo
    r = cost(root, "origin/main", ids["two"], "--path", "terraform", "--env", "production", "--fail-above", limit)
    assert r.returncode == code, r.stderr
    assert "production:" in r.stdout  # the diff is printed either way
    assert ("above --fail-above" in r.stderr) == (code == 3)


def test_fail_above_bad_value(repo: tuple[Path, dict[str, str]]) -> None:
    root, _ = repo
    r = cost(root, "origin/main", "HEAD", "--path", "terraform", "--fail-above", "lots")
    assert r.returncode == 2 and r.stderr.startswith("error: --fail-above") and "Traceback" not in r.stderr


# -- sides and errors -----------------------------------------------------------------------------------------

def test_git_refs_leave_the_work_tree_alone(repo: tuple[Path, dict[str, str]]) -> None:
    root, _ = repo
    (root / "scratch.txt").write_text("uncommitted", encoding="utf-8")
    try:
        before = (git(root, "rev-parse", "HEAD"), git(root, "status", "--porcelain"), git(root, "stash", "list"))
        r = cost(root, "origin/main", "HEAD", "--path", "terraform", "--env", "production", "--format", "json")
        assert r.returncode == 0, r.stderr
        assert (git(root, "rev-parse", "HEAD"), git(root, "status", "--porcelain"), git(root, "stash", "list")) \
            == before
    finally:
        (root / "scratch.txt").unlink()


def test_directory_side_with_var_file_inside_each_tree(repo: tuple[Path, dict[str, str]], tmp_path: Path,
                                                       two: dict[str, Any]) -> None:
    """A working copy against a ref: --var-file is read in each side's own tree, so the tfvars change counts."""
    root, _ = repo
    r = cost(root, "origin/main", ".", "--path", "terraform", "--var-file", "production.tfvars", "--format", "json")
    assert r.returncode == 0, r.stderr
    prod = _env(json.loads(r.stdout), "production")
    # The work tree is at commit 3 (Aurora added): the tfvars change of commit 2 is in it too.
    got = {c["key"]: c["delta_usd"] for c in prod["changes"] if c["delta_usd"] is not None}
    want = {c["key"]: c["delta_usd"] for c in _env(two, "production")["changes"]}
    assert {k: got.get(k) for k in want} == want


@pytest.mark.parametrize(("args", "message"), [
    (["no-such-ref", "HEAD"], "no-such-ref: not a file, a directory or a git ref"),
    (["origin/main", "HEAD", "--path", "nowhere"], "--path nowhere: exists neither in"),
    (["origin/main", "HEAD", "--path", "terraform", "--env", "qa"], "has environment 'qa'"),
    (["origin/main", "HEAD", "--path", "terraform", "--var-file", "missing.tfvars"], "--var-file missing.tfvars"),
    (["origin/main", "HEAD", "--path", "../.."], "--path ../..: outside the tree"),
])
def test_bad_input_is_one_line(repo: tuple[Path, dict[str, str]], args: list[str], message: str) -> None:
    root, _ = repo
    r = cost(root, *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.startswith("error: ") and message in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""


def test_plan_json_sides(tmp_path: Path, repo: tuple[Path, dict[str, str]]) -> None:
    """A real plan (infracost's test data, tests/fixtures/terraform-plans/SOURCE) against the same plan with its two
    `for_each` NAT Gateways removed by the test: two of four gateways fewer, in the plan's region (us-east-1)."""
    import csv

    root, _ = repo
    real = Path(__file__).parent / "fixtures" / "terraform-plans" / "sync_usage_file.json"
    doc = json.loads(real.read_text(encoding="utf-8"))
    res = doc["planned_values"]["root_module"]["resources"]
    doc["planned_values"]["root_module"]["resources"] = [r for r in res if not r["address"].startswith(
        "aws_nat_gateway.example_each")]
    fewer = tmp_path / "fewer.json"
    fewer.write_text(json.dumps(doc), encoding="utf-8")
    r = cost(root, str(real), str(fewer), "--format", "json")
    assert r.returncode == 0, r.stderr
    (prod,) = json.loads(r.stdout)["environments"]
    with (Path(__file__).parent / "fixtures" / "aws-prices" / "regions" / "us-east-1_prices.csv").open() as fh:
        hour = Decimal(next(row["price_usd"] for row in csv.DictReader(fh)
                            if row["usage_type"] == "NatGateway-Hours"))  # "0.045"
    hours = cents(HOURS * 4 * hour) - cents(HOURS * 2 * hour)
    nat = [c for c in prod["changes"] if c["service"] == "NAT Gateway" and "Hrs" not in c["component"]
           and c["component"].endswith("NAT Gateway(s)")]
    assert len(nat) == 1 and nat[0]["status"] == "changed" and Decimal(nat[0]["delta_usd"]) == -hours
    broken = tmp_path / "plan.json"
    broken.write_text('{"format_version": "1.2"}', encoding="utf-8")
    bad = cost(root, str(broken), "HEAD", "--path", "terraform")
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr


def test_a_side_that_cannot_be_priced_is_named(tmp_path: Path) -> None:
    from stackcost.sizing.load import preset_text

    (tmp_path / "a.yaml").write_text(preset_text(), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(preset_text().replace("db.t3.medium", "db.x9z.huge", 1), encoding="utf-8")
    r = cost(tmp_path, "a.yaml", "b.yaml", "--env", "production")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("error: b.yaml: ") and "db.x9z.huge" in r.stderr and "Traceback" not in r.stderr


def test_a_link_out_of_the_tree_is_refused(tmp_path: Path) -> None:
    """A ref's tree is extracted with tarfile's `data` filter: a symlink to /etc is an error, not a read."""
    root = tmp_path / "evil"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "terraform").mkdir()
    (root / "terraform" / "main.tf").symlink_to("/etc/passwd")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "link")
    r = cost(root, "main", "main", "--path", "terraform")
    assert r.returncode == 2 and r.stderr.startswith("error: git archive ") and "Traceback" not in r.stderr
