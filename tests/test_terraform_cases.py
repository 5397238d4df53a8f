"""Cases the real trees lack, in small trees written here (no prices: states and sizing quantities only, each
expected value read off the HCL above it)."""

from __future__ import annotations

from pathlib import Path

import yaml

from stackcost.sizing.model import Stack
from stackcost.terraform.build import Imported, import_terraform
from stackcost.terraform.emit import to_yaml


def _tree(tmp: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(text)
    return tmp


def _states(imp: Imported) -> dict[str, str]:
    return {i.address: i.status for i in imp.instances}


def _valid(imp: Imported) -> dict[str, object]:
    data = yaml.safe_load(to_yaml(imp))
    Stack.model_validate(data)
    return dict(data["environments"][imp.environment])


SERVICES = '''
provider "aws" {
  region = var.region
}
variable "region" {}
variable "storage_type" { default = null }
resource "aws_ecs_cluster" "main" { name = "c" }
resource "aws_ecs_task_definition" "api" {
  family = "api"
  cpu    = 512
  memory = 1024
}
resource "aws_ecs_task_definition" "worker" {
  family = "worker"
  cpu    = 1024
  memory = 2048
}
resource "aws_ecs_service" "api" {
  name            = "api"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.api.arn
  desired_count   = 2
}
resource "aws_ecs_service" "worker" {
  name            = "worker"
  task_definition = aws_ecs_task_definition.worker.arn
}
resource "aws_ecs_service" "ec2" {
  name            = "ec2"
  launch_type     = "EC2"
  task_definition = aws_ecs_task_definition.api.arn
}
resource "aws_appautoscaling_target" "worker" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.worker.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = 3
  max_capacity       = 6
}
resource "aws_db_instance" "main" {
  engine            = "postgres"
  instance_class    = "db.r6g.large"
  allocated_storage = 200
  storage_type      = var.storage_type
}
resource "aws_db_instance" "replica" {
  count               = 2
  replicate_source_db = aws_db_instance.main.identifier
  instance_class      = "db.r6g.large"
}
resource "aws_elasticache_cluster" "cache" {
  cluster_id      = "c"
  engine          = "redis"
  node_type       = "cache.t4g.small"
  num_cache_nodes = 1
}
resource "aws_elasticache_serverless_cache" "s" {
  engine = "valkey"
  name   = "s"
}
resource "aws_lb" "nlb" {
  load_balancer_type = "network"
  internal           = true
  subnets            = ["subnet-a", "subnet-b", "subnet-c"]
}
resource "aws_vpc_endpoint" "ecr" {
  for_each          = toset(["ecr.api", "ecr.dkr", "logs"])
  service_name      = "com.amazonaws.${var.region}.${each.key}"
  vpc_endpoint_type = "Interface"
  subnet_ids        = ["subnet-a", "subnet-b"]
}
resource "aws_vpc_endpoint" "s3" {
  service_name = "com.amazonaws.${var.region}.s3"
}
resource "aws_kms_key" "k" {
  count = 2
}
resource "aws_acm_certificate" "web" {
  domain_name = "example.org"
}
resource "aws_rds_cluster" "aurora" {
  engine = "aurora-postgresql"
  serverlessv2_scaling_configuration {
    min_capacity = 0.5
    max_capacity = 8
  }
}
resource "aws_rds_cluster_instance" "writer" {
  cluster_identifier = aws_rds_cluster.aurora.id
  instance_class     = "db.r6g.large"
}
resource "aws_rds_cluster_instance" "readers" {
  count              = 2
  cluster_identifier = aws_rds_cluster.aurora.id
  instance_class     = "db.serverless"
}
resource "aws_lambda_function" "f" {
  function_name = "f"
}
'''


def test_each_mapped_type(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"main.tf": SERVICES, "x.tfvars": 'region = "ap-northeast-2"\n'})
    imp = import_terraform(root, [root / "x.tfvars"])
    st = _states(imp)
    env = _valid(imp)
    fargate = {s["name"]: s for s in env["fargate"]}  # type: ignore[attr-defined]
    # worker: no desired_count (provider default 0), raised to the target's min 3; max 6 (cluster named first)
    assert fargate["worker"]["tasks"] == {"desired": 3, "min": 3, "max": 6}
    assert fargate["api"]["tasks"] == {"desired": 2} and fargate["api"]["vcpu"] == 0.5
    assert st["aws_ecs_service.ec2"] == "unsupported"
    rds = env["rds"]
    assert rds["storage_type"] is None and rds["read_replicas"] == 2  # type: ignore[index]
    assert st["aws_db_instance.replica[0]"] == st["aws_db_instance.replica[1]"] == "priced"
    assert env["elasticache"] == {"engine": "redis", "node_type": "cache.t4g.small", "nodes": 1}
    assert env["elasticache_serverless"]["engine"] == "valkey"  # type: ignore[index]
    assert env["nlb"]["availability_zones"] == 3 and env["nlb"]["internet_facing"] is False  # type: ignore[index]
    assert env["vpc_endpoints"]["interface_endpoints"] == 3  # type: ignore[index]
    assert env["vpc_endpoints"]["availability_zones"] == 2  # type: ignore[index]
    assert st["aws_vpc_endpoint.s3"] == "free"  # Gateway is the provider's default type
    assert env["kms"]["keys"] == 2 and env["acm"] == {"public_certificates": 1}  # type: ignore[index]
    assert st["aws_acm_certificate.web"] == "free"
    aurora = env["aurora"]
    assert aurora["instances"] == [{"instance_class": "db.r6g.large", "count": 1},  # type: ignore[index]
                                   {"instance_class": "db.serverless", "count": 2}]
    assert (aurora["min_acu"], aurora["max_acu"]) == (0.5, 8)  # type: ignore[index]
    assert st["aws_lambda_function.f"] == "unsupported"
    assert imp.region == "ap-northeast-2" and "var.region" in imp.region_source
    assert "other" not in env or "secrets" not in env["other"]  # type: ignore[operator]


def test_region_unknown_is_a_warning_and_said_in_the_yaml(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"main.tf": SERVICES})
    imp = import_terraform(root, [])
    assert imp.region == "ap-northeast-2" and imp.region_source.startswith("assumed ap-northeast-2")
    assert any("region unknown" in w for w in imp.warnings)
    assert "region: ap-northeast-2  # assumed ap-northeast-2" in to_yaml(imp)
    flagged = import_terraform(root, [], region="eu-west-1")
    assert flagged.region == "eu-west-1" and flagged.region_source == "--region"


MODULES = '''
provider "aws" {
  region = "us-east-1"
}
variable "envs" {
  default = { prod = 2, test = 0 }
}
module "nat" {
  source   = "./modules/nat"
  for_each = var.envs
  n        = each.value
}
module "off" {
  source = "./modules/nat"
  count  = 0
  n      = 1
}
module "twice" {
  source = "./modules/nat"
  count  = 2
  n      = 1
}
'''
NAT = '''
variable "n" {}
resource "aws_nat_gateway" "this" {
  count         = var.n
  allocation_id = aws_eip.this[count.index].id
}
resource "aws_eip" "this" {
  count = var.n
}
'''


def test_count_and_for_each_on_modules(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"main.tf": MODULES, "modules/nat/main.tf": NAT})
    imp = import_terraform(root, [])
    st = _states(imp)
    # prod: 2 gateways, test: 0, twice: 2 × 1 -> 4 priced; off: the module itself is not created
    assert imp.data["nat"]["gateways"] == 4
    assert st['module.nat["prod"].aws_nat_gateway.this[1]'] == "priced"
    assert st['module.nat["test"].aws_nat_gateway.this'] == "not-created"
    assert st["module.twice[1].aws_nat_gateway.this[0]"] == "priced"
    assert st["module.off"] == "not-created"
    assert st['module.nat["prod"].aws_eip.this[0]'] == "priced"  # counted with its NAT Gateway
    assert "extra_public_ipv4" not in imp.data.get("other", {})
    assert imp.region == "us-east-1"


def test_a_bad_value_fails_one_resource(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"main.tf": '''
resource "aws_ecs_task_definition" "t" {
  family = "t"
  cpu    = cidrsubnet("10.0.0.0/16", 8, 1)
  memory = 512
}
resource "aws_ecs_service" "s" {
  task_definition = aws_ecs_task_definition.t.arn
}
resource "aws_nat_gateway" "n" {
  count = length(data.aws_availability_zones.all.names)
}
resource "aws_s3_bucket" "b" {}
'''})
    imp = import_terraform(root, [])
    st = _states(imp)
    assert st["aws_ecs_service.s"] == "unresolved" and st["aws_nat_gateway.n"] == "unresolved"
    assert st["aws_s3_bucket.b"] == "priced" and "fargate" not in imp.data
    reason = next(i.reason for i in imp.instances if i.address == "aws_ecs_service.s")
    assert "cidrsubnet" in reason


def test_task_definition_in_another_module_through_a_local(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"main.tf": '''
locals {
  task = module.taskdef.arn
}
module "taskdef" {
  source = "./modules/taskdef"
  cpu    = 2048
}
module "service" {
  source          = "./modules/service"
  task_definition = local.task
}
''', "modules/taskdef/main.tf": '''
variable "cpu" {}
resource "aws_ecs_task_definition" "this" {
  family = "t"
  cpu    = var.cpu
  memory = var.cpu * 2
}
output "arn" { value = aws_ecs_task_definition.this.arn }
''', "modules/service/main.tf": '''
variable "task_definition" {}
resource "aws_ecs_service" "this" {
  name            = "api"
  task_definition = var.task_definition
  desired_count   = 3
}
resource "aws_appautoscaling_target" "this" {
  service_namespace = "ecs"
  resource_id       = "service/main/${aws_ecs_service.this.name}"
  min_capacity      = 2
  max_capacity      = 5
}
'''})
    imp = import_terraform(root, [])
    (svc,) = imp.data["fargate"]
    # cpu 2048 units = 2 vCPU, memory 2048 * 2 MiB = 4 GB; desired 3 within the target's 2..5
    assert (svc["vcpu"], svc["memory_gb"], svc["tasks"]) == (2, 4, {"desired": 3, "min": 2, "max": 5})
    assert _states(imp)["module.taskdef.aws_ecs_task_definition.this"] == "free"


def test_a_value_the_model_refuses_fails_its_section_only(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"main.tf": '''
resource "aws_db_instance" "db" {
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  allocated_storage   = 20
  monitoring_interval = 7
}
resource "aws_nat_gateway" "n" {}
'''})
    imp = import_terraform(root, [])
    st = _states(imp)
    # 7 s is not an Enhanced Monitoring interval (1, 5, 10, 15, 30, 60): RDS unresolved, the NAT Gateway priced
    assert st["aws_db_instance.db"] == "unresolved" and "enhanced_monitoring_interval_s" in next(
        i.reason for i in imp.instances if i.address == "aws_db_instance.db")
    assert st["aws_nat_gateway.n"] == "priced" and "rds" not in imp.data
    _valid(imp)


def test_null_argument_to_a_module_is_the_provider_default(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"main.tf": '''
module "db" {
  source       = "./db"
  storage_type = null
  multi_az     = null
}
''', "db/main.tf": '''
variable "storage_type" { default = "io1" }
variable "multi_az" {
  default  = true
  nullable = false
}
resource "aws_db_instance" "this" {
  engine            = "postgres"
  instance_class    = "db.m6g.large"
  allocated_storage = 100
  storage_type      = var.storage_type
  multi_az          = var.multi_az
}
'''})
    rds = import_terraform(root, []).data["rds"]
    # storage_type: null passed to a nullable variable stays null (the engine's default, not the module's io1);
    # multi_az: null passed to `nullable = false` takes the variable's default true
    assert rds["storage_type"] is None and rds["multi_az"] is True


def test_region_known_only_after_apply_is_assumed(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"main.tf": '''
data "aws_region" "current" {}
provider "aws" {
  region = data.aws_region.current.name
}
resource "aws_nat_gateway" "n" {}
'''})
    imp = import_terraform(root, [])
    assert imp.region == "ap-northeast-2" and imp.region_source.startswith("assumed")
    _valid(imp)


def test_attribute_and_block_of_one_name_is_an_error_not_a_crash(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = _tree(tmp_path, {"main.tf": 'resource "aws_s3_bucket" "b" {\n  tags = {}\n  tags {\n  }\n}\n'})
    r = subprocess.run([sys.executable, "-m", "stackcost", "import", "terraform", str(root), "-o",
                        str(tmp_path / "o.yaml")], capture_output=True, text=True, timeout=60)
    assert r.returncode in (0, 2) and "internal error" not in r.stderr and "Traceback" not in r.stderr
