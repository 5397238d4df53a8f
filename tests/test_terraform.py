"""`cost import terraform`: the guide's modules with production/staging tfvars give the sizing the preset has;
what cannot be resolved is a warning with file and line, never a guess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stackcost.catalog import Catalog
from stackcost.estimate import estimate
from stackcost.sizing.load import load_stack
from stackcost.sizing.model import Stack
from stackcost.terraform.build import import_terraform
from stackcost.terraform.emit import to_yaml
from stackcost.terraform.expr import Unresolved, value

TF = Path(__file__).parent / "fixtures" / "terraform"


def _fixed(est) -> list[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    return sorted((i.service, i.usage_type, str(i.quantity.normalize()), str(i.monthly_usd))
                  for i in est.items if not i.usage_based)


def test_production_reproduces_the_presets_fixed_lines(stack: Stack, catalog: Catalog, tmp_path: Path) -> None:
    out = tmp_path / "imported.yaml"
    r = subprocess.run([sys.executable, "-m", "stackcost", "import", "terraform", str(TF), "--var-file",
                        str(TF / "production.tfvars"), "--env", "production", "-o", str(out)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # every value the sizing needs resolved
    imported = estimate(load_stack(out)[0], "production", catalog)
    preset = estimate(stack, "production", catalog)
    assert _fixed(imported) == _fixed(preset)
    assert imported.total == preset.total
    text = out.read_text()
    assert "modules/ecs/main.tf:29 cpu = 2048 CPU units" in text and "assumption: hospital-erp.yaml" in text
    r = subprocess.run([sys.executable, "-m", "stackcost", "estimate", "production", "--config", str(out),
                        "--format", "json"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and '"total_monthly_usd": "590.32"' in r.stdout


def test_staging_single_az(catalog: Catalog) -> None:
    imp = import_terraform(TF, [TF / "staging.tfvars"])
    assert imp.environment == "staging"
    env = imp.data
    assert env["nat"]["gateways"] == 1 and env["alb"]["availability_zones"] == 2
    assert env["rds"]["instance_class"] == "db.t3.small" and env["rds"]["multi_az"] is False
    assert env["elasticache"]["nodes"] == 1
    assert env["fargate"][0]["vcpu"] == 1 and env["fargate"][0]["memory_gb"] == 2
    assert any("an ALB needs subnets in at least two AZs" in w for w in imp.warnings)
    stack = load_stack(None)[0].model_validate(__import__("yaml").safe_load(to_yaml(imp, "test")))
    assert estimate(stack, "staging", catalog).total > 0


def test_unresolved_values_are_warnings_with_file_and_line(tmp_path: Path) -> None:
    partial = tmp_path / "partial.tfvars"
    partial.write_text((TF / "production.tfvars").read_text().replace('instance_class     = "db.t3.medium"', ""))
    imp = import_terraform(TF, [partial])
    assert "rds" not in imp.data
    assert any(w.startswith("tests/fixtures/terraform/modules/rds/main.tf:7") or "modules/rds/main.tf:7" in w
               for w in imp.warnings)
    assert any("instance_class" in w and "has no value" in w for w in imp.warnings)


def test_bad_hcl_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_lb" "x" {\n  name = \n')
    r = subprocess.run([sys.executable, "-m", "stackcost", "import", "terraform", str(tmp_path), "-o",
                        str(tmp_path / "o.yaml")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "not valid HCL" in r.stderr
    assert not (tmp_path / "o.yaml").exists()


@pytest.mark.parametrize(("raw", "expected"), [
    ('${var.environment == "production" ? 2 : 1}', 2),
    ('${var.environment != "production"}', False),
    ("${length(var.azs)}", 2),
    ('"${var.project}-nat-${1 + 1}"', "erp-nat-2"),
    ("${var.azs[1]}", "b"),
    ("${max(var.n, 3) * 2}", 10),
    ('${!(var.environment == "staging") && true}', True),
])
def test_expressions(raw: str, expected: object) -> None:
    scope = {"var": {"environment": "production", "azs": ["a", "b"], "project": "erp", "n": 5}, "local": {}}
    assert value(raw, scope) == expected


@pytest.mark.parametrize(("raw", "why"), [("${module.vpc.id}", "module output"), ("${cidrsubnet(var.x, 8, 1)}",
                                                                                    "not supported"),
                                          ("${var.missing}", "has no value")])
def test_unresolvable_expressions(raw: str, why: str) -> None:
    with pytest.raises(Unresolved, match=why):
        value(raw, {"var": {"x": "10.0.0.0/16"}, "local": {}})
