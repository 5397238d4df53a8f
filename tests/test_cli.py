"""The `cost` command as a user runs it: real process, real output, exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.pricelist_fixtures import expected_record_count, production_lines_by_hand, published_rows

COST = [sys.executable, "-m", "stackcost"]


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COST, *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "COLUMNS": "200", **(env or {})}, timeout=60)


def test_estimate_production_json_has_every_service(tmp_path: Path) -> None:
    r = run("estimate", "production", "--format", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["schema_version"] == 1 and data["currency"] == "USD" and data["region"] == "ap-northeast-2"
    services = {i["service"] for i in data["line_items"]}
    assert {"ECS Fargate", "RDS PostgreSQL", "ElastiCache", "NAT Gateway", "ALB", "CloudFront", "S3",
            "CloudWatch"} <= services
    # The total worked out by hand from the preset and the CSV price strings (590.32), not summed from the output.
    hand = production_lines_by_hand()
    assert Decimal(data["total_monthly_usd"]) == sum((amount for _, _, amount in hand), Decimal(0))
    assert len(data["line_items"]) == len(hand)
    for item in data["line_items"]:
        assert Decimal(item["monthly_usd"]) == Decimal(item["monthly_usd"]).quantize(Decimal("0.01"))


def test_estimate_table_shows_total_and_dates(tmp_path: Path) -> None:
    r = run("estimate", "production", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    # The oldest publication date among the input price rows (read from the CSV), shown as the start of the range.
    oldest = min(row["source_publication_date"][:10] for row in published_rows()
                 if row["source_publication_date"][:4].isdigit())
    assert "Total per month" in r.stdout and f"published {oldest}" in " ".join(r.stdout.split())


def test_all_environments_side_by_side_and_csv_markdown(tmp_path: Path) -> None:
    r = run("estimate", "--all", cwd=tmp_path)
    assert r.returncode == 0 and "staging" in r.stdout and "development" in r.stdout
    r = run("estimate", "staging", "--format", "csv", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("environment,service,component")
    r = run("estimate", "staging", "--format", "markdown", cwd=tmp_path)
    assert r.returncode == 0 and "| **Total** |" in r.stdout


def test_compare_environments(tmp_path: Path) -> None:
    r = run("compare", "staging", "production", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Difference" in r.stdout


def one_line_error(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_bad_config_is_one_line_exit_2(tmp_path: Path) -> None:
    cfg = tmp_path / "cost.yaml"
    cfg.write_text("environments:\n  production:\n    rds:\n      instnce_class: db.t3.medium\n      allocated_gb: 1\n")
    err = one_line_error(run("estimate", "production", cwd=tmp_path))
    assert "production.rds.instnce_class: unknown field (did you mean instance_class?)" in err
    cfg.write_text("environments: [\n")
    assert "cost.yaml:2:1" in one_line_error(run("estimate", cwd=tmp_path))


def test_unknown_environment_and_missing_file(tmp_path: Path) -> None:
    assert "no environment 'prod'" in one_line_error(run("estimate", "prod", cwd=tmp_path))
    assert "no such file" in one_line_error(run("estimate", "--config", str(tmp_path / "x.yaml"), cwd=tmp_path))


def test_corrupted_catalog_is_a_clear_error(tmp_path: Path, catalog_copy: Path) -> None:
    f = catalog_copy / "ap-northeast-2" / "AmazonEC2.jsonl"
    f.write_text(f.read_text()[:-20])
    err = one_line_error(run("estimate", cwd=tmp_path, env={"STACKCOST_PRICING_DATA": str(catalog_copy)}))
    assert "AmazonEC2.jsonl does not match its checksum" in err


def test_catalog_info_lists_every_offer_with_dates(tmp_path: Path) -> None:
    r = run("catalog", "info", "--format", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["schema_version"] == 1 and info["checksums_verified"] is True
    codes = {o["offer_code"] for o in info["offers"]}
    assert {"AmazonECS", "AmazonRDS", "AmazonElastiCache", "AmazonEC2", "AWSELB", "AmazonCloudFront", "AmazonS3",
            "AmazonCloudWatch", "AWSDatabaseSavingsPlans"} <= codes
    assert all(o["published_max"] for o in info["offers"] if o["offer_code"] != "stackcost-allowances")
    r = run("catalog", "info", cwd=tmp_path)
    assert r.returncode == 0 and "checksums verified" in r.stdout


def test_catalog_search_json(tmp_path: Path) -> None:
    r = run("catalog", "search", "APN2-Multi-AZUsage:db.t3.medium", "--format", "json", cwd=tmp_path)
    data = json.loads(r.stdout)
    # Every row of the published prices with that usage type: the on-demand rate and its reservations.
    expected = sum(1 for row in published_rows() if row["usage_type"] == "APN2-Multi-AZUsage:db.t3.medium")
    assert data["schema_version"] == 1 and data["count"] == expected
    assert "no price matches" in one_line_error(run("catalog", "search", "db.zz.nothing", cwd=tmp_path))


def test_catalog_build_cli(tmp_path: Path) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "aws-prices"
    r = run("catalog", "build", "--from", str(fixtures), "--out", str(tmp_path / "pd"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    built = dict(re.findall(r"built \S+/pd/(\S+): (\d+) records", r.stdout))
    assert set(built) == {"ap-northeast-2", "us-east-1", "eu-west-1", "ap-northeast-1", "global"}
    assert int(built["ap-northeast-2"]) + int(built["global"]) == expected_record_count()
    assert "not a directory" in one_line_error(run("catalog", "build", "--from", str(tmp_path / "nope"),
                                                   "--out", str(tmp_path / "pd"), cwd=tmp_path))


def test_init_writes_preset_and_refuses_to_overwrite(tmp_path: Path) -> None:
    r = run("init", cwd=tmp_path)
    assert r.returncode == 0 and (tmp_path / "cost.yaml").is_file()
    assert "already exists" in one_line_error(run("init", cwd=tmp_path))
    r = run("estimate", "production", "--format", "json", cwd=tmp_path)  # reads ./cost.yaml
    assert r.returncode == 0


def test_optimize_json_lists_options_plan_and_sizing(tmp_path: Path) -> None:
    r = run("optimize", "production", "--format", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["schema_version"] == 1 and data["risk"] == "medium"
    keys = {"service", "option", "term", "purchase_option", "upfront_usd", "monthly_recurring_usd",
            "effective_monthly_usd", "monthly_saving_usd", "saving_pct", "break_even_month", "available", "indicative"}
    assert all(keys <= set(o) for o in data["options"])
    assert {o["kind"] for o in data["options"]} >= {"reserved", "savings-plan", "spot", "graviton", "logging",
                                                    "cloudfront", "network", "switch"}
    assert Decimal(data["plan"]["monthly_saving_usd"]) > 0 and data["savings_plan_sizing"][0]["indicative"] is True


def test_optimize_table_markdown_csv(tmp_path: Path) -> None:
    table = run("optimize", "production", "--risk", "low", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "Recommended plan, risk low" in table.stdout and "INDICATIVE" in table.stdout
    md = run("optimize", "staging", "--format", "markdown", cwd=tmp_path)
    assert md.returncode == 0 and "## Recommended plan" in md.stdout
    csv_out = run("optimize", "production", "--format", "csv", cwd=tmp_path)
    assert csv_out.returncode == 0 and csv_out.stdout.startswith("environment,service,line,option")


def test_optimize_usage_csv_and_its_errors(tmp_path: Path) -> None:
    good = tmp_path / "usage.csv"
    good.write_text("hour,tasks\n" + "".join(f"{h},{2 if h % 24 < 16 else 4}\n" for h in range(730)))
    r = run("optimize", "production", "--usage-csv", str(good), "--format", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    sizing = json.loads(r.stdout)["savings_plan_sizing"][0]
    assert sizing["hours"] == 730 and Decimal(sizing["monthly_saving_usd"]) > 0
    bad = tmp_path / "bad.csv"
    bad.write_text("hour,tasks\n0,two\n")
    r = run("optimize", "production", "--usage-csv", str(bad), cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip() == f"error: {bad}:2: tasks='two' is not a number"
    r = run("optimize", "production", "--usage-csv", str(tmp_path / "none.csv"), cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith("error: ") and "Traceback" not in r.stderr
    r = run("optimize", "nowhere", cwd=tmp_path)
    assert r.returncode == 2 and "no environment 'nowhere'" in r.stderr


# Without PYTHONUNBUFFERED (this machine sets it; users do not), output is buffered as a user's is.
USER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
OUTPUTS = [["estimate", "production", "--format", "json"], ["estimate", "production"], ["optimize", "production"],
           ["estimate", "--help"]]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="Linux's always-full device")
@pytest.mark.parametrize("args", OUTPUTS, ids=" ".join)
def test_a_full_disk_on_stdout_is_one_line(args: list[str], tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        r = subprocess.run([*COST, *args], stdout=full, stderr=subprocess.PIPE, text=True, cwd=tmp_path, timeout=60,
                           env=USER_ENV)
    assert r.returncode == 2
    assert r.stderr.splitlines() == ["error: cannot write the output: No space left on device"]


@pytest.mark.parametrize("args", OUTPUTS, ids=" ".join)
def test_a_reader_that_leaves_early_or_no_stdout_at_all_is_not_an_error(args: list[str], tmp_path: Path) -> None:
    cmd = " ".join([*COST, *args])
    for shell in (f"{cmd} | head -c 1 >/dev/null; exit ${{PIPESTATUS[0]}}", f"{cmd} >&-"):
        r = subprocess.run(["bash", "-c", shell], stderr=subprocess.PIPE, text=True, cwd=tmp_path, timeout=60,
                           env=USER_ENV)
        assert r.returncode == 0, (shell, r.stderr)
        # argparse prints help to stderr when there is no stdout; nothing else may say anything
        assert r.stderr == "" or ("--help" in args and r.stderr.startswith("usage: ")), (shell, r.stderr)


def test_cost_alone_or_a_group_alone_shows_the_help_and_exits_2(tmp_path: Path) -> None:
    for args in ([], ["catalog"], ["import"]):
        r = run(*args, cwd=tmp_path)
        assert r.returncode == 2 and r.stdout.startswith(f"usage: {' '.join(['cost', *args])} "), args


def test_each_command_parses_on_its_own_as_in_the_full_parser() -> None:
    """`cost X` builds only X's part of the command line: the same options as the full parser has for X."""
    from stackcost import cli

    def options(parser: object) -> dict[str, list[tuple[str, ...]]]:
        sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")  # type: ignore[attr-defined]
        return {name: sorted(tuple(a.option_strings) or (a.dest,) for a in p._actions)
                for name, p in sub.choices.items()}

    full = options(cli._parser())
    assert sorted(full) == sorted(cli.COMMANDS)
    for name in cli.COMMANDS:
        assert options(cli._parser(name)) == {name: full[name]}
