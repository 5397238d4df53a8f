"""`cost import terraform` on public Terraform trees nobody here wrote (tests/fixtures/terraform-real/*/SOURCE):
every `resource` block a plain scan of the files finds ends in a state, the region is the code's, and the sizing
holds what the code says. Expected quantities were read off the .tf / .tfvars files by hand (line cited)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stackcost.sizing.model import Stack
from stackcost.terraform.build import Imported, import_terraform
from stackcost.terraform.emit import to_yaml

REAL = Path(__file__).parent / "fixtures" / "terraform-real"
STATES = {"priced", "free", "unsupported", "not-created", "unresolved"}
_RESOURCE = re.compile(r'^[ \t]*resource[ \t]+"([^"]+)"[ \t]+"([^"]+)"', re.MULTILINE)

TREES = {  # name: (root, var files, workspace, region)
    "tam-ecs-fargate": ("tam-ecs-fargate/examples/fargate", [], None, "eu-west-1"),
    "tam-aurora-serverless": ("tam-aurora-serverless/examples/serverless", [], None, "eu-west-1"),
    "cloudposse-redis": ("cloudposse-redis/examples/complete", ["fixtures.us-east-2.tfvars"], None, "us-east-2"),
    "cloudposse-ecs-web-app": ("cloudposse-ecs-web-app/examples/complete", ["fixtures.us-east-2.tfvars"], None,
                               "us-east-2"),
    "cmcs-carts-data": ("cmcs-carts-data", [], "master", "us-east-1"),
    "cmcs-carts-frontend": ("cmcs-carts-frontend", [], "master", "us-east-1"),
}


def _import(name: str) -> Imported:
    root, vfs, ws, _ = TREES[name]
    return import_terraform(REAL / root, [REAL / root / v for v in vfs], workspace=ws)


def _blocks(name: str) -> list[tuple[Path, int, str, str]]:
    out = []
    for f in sorted((REAL / name).rglob("*.tf")):
        text = f.read_text()
        for m in _RESOURCE.finditer(text):
            out.append((f.resolve(), text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2)))
    return out


@pytest.mark.parametrize("name", sorted(TREES))
def test_every_resource_block_has_a_state_and_the_region_is_the_codes(name: str) -> None:
    imp = _import(name)
    assert imp.region == TREES[name][3]
    assert all(i.status in STATES and i.reason for i in imp.instances)
    seen = {(Path(i.where.rsplit(":", 1)[0]).resolve(), int(i.where.rsplit(":", 1)[1]), i.type, i.name)
            for i in imp.instances if i.type != "module"}
    blocks = _blocks(name)
    assert blocks and not [b for b in blocks if b not in seen]
    Stack.model_validate(__import__("yaml").safe_load(to_yaml(imp)))  # the YAML is a valid sizing


def _state(imp: Imported, address: str) -> str:
    return next(i.status for i in imp.instances if i.address == address)


def test_terraform_aws_modules_fargate() -> None:
    imp = _import("tam-ecs-fargate")
    (svc,) = imp.data["fargate"]
    # examples/fargate/main.tf:64-65 cpu = 1024, memory = 4096; modules/service/variables.tf: desired_count
    # default 1, autoscaling_min_capacity 1, autoscaling_max_capacity 10 (the target takes min/max with desired)
    assert (svc["vcpu"], svc["memory_gb"], svc["tasks"]) == (1, 4, {"desired": 1, "min": 1, "max": 10})
    assert _state(imp, "module.ecs_service.aws_ecs_service.this[0]") == "priced"
    assert _state(imp, "module.ecs_service.aws_appautoscaling_target.this[0]") == "free"
    # the task-definition-only call (examples/fargate/main.tf:218) creates no service: count = 0
    assert _state(imp, "module.ecs_task_definition.aws_ecs_service.this") == "not-created"
    # the ALB and VPC are registry modules nobody fetched: reported, not dropped, not guessed
    assert _state(imp, "module.alb") == "unresolved" and _state(imp, "module.vpc") == "unresolved"
    assert "alb" not in imp.data and "nat" not in imp.data
    assert imp.data["cloudwatch"]["container_insights"] is True  # modules/cluster default setting "enabled"
    assert "other" not in imp.data or not {"secrets", "waf", "route53", "ecr_storage_gb"} & set(imp.data["other"])


def test_terraform_aws_modules_aurora_serverless_v2() -> None:
    imp = _import("tam-aurora-serverless")
    a = imp.data["aurora"]
    # examples/serverless/main.tf:35 engine aurora-mysql, :61-62 min 2 / max 10 ACU, :65-66 two db.serverless
    assert a["engine"] == "aurora-mysql" and (a["min_acu"], a["max_acu"]) == (2, 10)
    assert a["instances"] == [{"instance_class": "db.serverless", "count": 2}]
    # the PostgreSQL cluster's engine comes from a data source (:87): that one cluster is unresolved
    pg = next(i for i in imp.instances if i.address == "module.aurora_postgresql.aws_rds_cluster.this[0]")
    assert pg.status == "unresolved" and "aws_rds_engine_version" in pg.reason


def test_cloudposse_redis_follows_terraform_init_modules() -> None:
    imp = _import("cloudposse-redis")
    # fixtures.us-east-2.tfvars:14 instance_type cache.m6g.large, :16 cluster_size 1; module.this.enabled comes
    # from the null-label module that .terraform/modules/modules.json points to
    assert imp.data["elasticache"] == {"engine": "redis", "node_type": "cache.m6g.large", "nodes": 1}
    assert _state(imp, "module.redis.aws_elasticache_replication_group.default[0]") == "priced"
    assert _state(imp, "module.vpc") == "unresolved"
    assert imp.data["other"]["route53"]["hosted_zones"] == 1  # examples/complete/main.tf aws_route53_zone.private


def test_cloudposse_ecs_web_app_through_three_module_levels() -> None:
    imp = _import("cloudposse-ecs-web-app")
    (svc,) = imp.data["fargate"]
    # fixtures.us-east-2.tfvars:15,17,31 container_cpu 256, container_memory 512, desired_count 1; main.tf passes
    # task_cpu = coalesce(var.task_cpu, var.container_cpu) (task_cpu defaults to null) to ecs-alb-service-task
    assert (svc["vcpu"], svc["memory_gb"], svc["tasks"]) == (0.25, 0.5, {"desired": 1})
    assert svc["name"] == "eg-test-ecs-web-app"  # namespace-stage-name through the null-label module
    assert _state(imp, "aws_ecs_cluster.default") == "priced"  # examples/complete/main.tf containerInsights
    assert _state(imp, "aws_sns_topic.sns_topic") == "unsupported"
    assert _state(imp, "module.ecs_web_app.module.ecr") == "unresolved"  # not fetched: reported


def test_workspace_names_the_environment() -> None:
    imp = _import("cmcs-carts-data")
    assert imp.environment == "master"
    (svc,) = imp.data["fargate"]  # ecs_postgres_deployer.tf:23-24 cpu 256 / memory 512, one task
    assert (svc["vcpu"], svc["memory_gb"], svc["tasks"]["desired"]) == (0.25, 0.5, 1)
    assert _state(imp, "module.db") == "unresolved"  # postgres.tf: registry rds module, not fetched
    assert "rds" not in imp.data


def test_plain_resources_alb_alias_waf_rules_and_buckets() -> None:
    imp = _import("cmcs-carts-frontend")
    assert _state(imp, "aws_alb.api_postgres") == "priced" and imp.data["alb"]["load_balancers"] == 1
    # ecs_task_api_postgres.tf:236 apiwaf has 5 rule blocks, s3_cloudfront_ui.tf uiwaf 5
    assert imp.data["other"]["waf"]["web_acls"] == 2 and imp.data["other"]["waf"]["rules"] == 10
    assert _state(imp, "aws_alb_listener.https_forward_api_postgres") == "not-created"  # count = 0 without a cert
    assert _state(imp, "aws_kinesis_firehose_delivery_stream.stream[0]") == "unsupported"
    assert "secrets" not in imp.data["other"] and "route53" not in imp.data["other"]


def test_cli_json_contract(tmp_path: Path) -> None:
    root = REAL / TREES["cmcs-carts-frontend"][0]
    out = tmp_path / "c.yaml"
    cmd = [sys.executable, "-m", "stackcost", "import", "terraform", str(root), "--workspace", "master", "-o",
           str(out), "--format", "json"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert list(data) == ["region", "region_source", "environment", "output", "resources", "warnings"]
    assert data["region"] == "us-east-1" and data["environment"] == "master" and data["output"] == str(out)
    assert all(list(x) == ["address", "type", "status", "reason", "file"] for x in data["resources"])
    before = out.read_text()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)  # never overwritten without --force
    assert r.returncode == 2 and "already exists" in r.stderr and out.read_text() == before
    r = subprocess.run([*cmd, "--force", "--format", "text"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "aws_alb" in r.stdout and "priced" in r.stdout


@pytest.mark.parametrize("name", ["tam-aurora-serverless", "cloudposse-redis", "cmcs-carts-data",
                                  "cmcs-carts-frontend"])
def test_fast_reader_and_python_hcl2_give_the_same_import(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The block reader is only a faster python-hcl2: both must give the same states and the same YAML.
    (tam-ecs-fargate differs on purpose: python-hcl2 leaves an object key `(local.container_name)` unevaluated.)"""
    from stackcost.terraform import load

    def run() -> tuple[list[tuple[str, str, str]], str]:
        load._PARSED.clear()
        imp = _import(name)
        return [(i.address, i.status, i.reason) for i in imp.instances], to_yaml(imp)

    fast = run()
    monkeypatch.setenv("STACKCOST_HCL2", "1")
    assert run() == fast
    load._PARSED.clear()
