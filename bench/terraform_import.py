"""`cost import terraform` on a generated tree: N resources spread over M local modules (default 500 in 20), each
module called from the root with count or for_each, with variables, locals, module outputs and count-ed
resources of this stack (ECS service + task definition + autoscaling target, log groups, alarms, security groups,
subnets, NAT Gateways). Sizes are the Fargate sizes and instance classes of tests/fixtures/terraform (no invented
prices: the bench times the import, it prices nothing). Each size runs in a fresh child process (cold: nothing
parsed before). Run: `python bench/terraform_import.py [resources:modules ...]`."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 5

# One module's resources, 25 blocks; `i` numbers them so every block is distinct.
BLOCKS = [
    'resource "aws_ecs_task_definition" "app{i}" {{\n  family = "${{local.name}}-{i}"\n  cpu = var.task_cpu\n'
    '  memory = var.task_memory\n  requires_compatibilities = ["FARGATE"]\n}}\n',
    'resource "aws_ecs_service" "app{i}" {{\n  name = "${{local.name}}-svc{i}"\n'
    '  task_definition = aws_ecs_task_definition.app{i}.arn\n  desired_count = var.desired\n'
    '  launch_type = "FARGATE"\n}}\n',
    'resource "aws_appautoscaling_target" "app{i}" {{\n  service_namespace = "ecs"\n'
    '  resource_id = "service/${{var.cluster}}/${{aws_ecs_service.app{i}.name}}"\n  min_capacity = var.desired\n'
    '  max_capacity = var.desired * 2\n  scalable_dimension = "ecs:service:DesiredCount"\n}}\n',
    'resource "aws_cloudwatch_log_group" "app{i}" {{\n  name = "/ecs/${{local.name}}/{i}"\n'
    '  retention_in_days = lookup(local.retention, var.env, 7)\n}}\n',
    'resource "aws_cloudwatch_metric_alarm" "cpu{i}" {{\n  count = var.alarms ? 1 : 0\n'
    '  alarm_name = format("%s-cpu-%02d", local.name, {i})\n  threshold = 80\n}}\n',
    'resource "aws_security_group" "app{i}" {{\n  name = "${{local.name}}-sg{i}"\n'
    '  tags = merge(var.tags, {{ Name = "sg{i}" }})\n}}\n',
]


def generate(root: Path, resources: int, modules: int) -> None:
    per = max(1, resources // modules)
    root.mkdir(parents=True)
    calls = []
    for m in range(modules):
        d = root / "modules" / f"m{m:02d}"
        d.mkdir(parents=True)
        body = ['variable "env" {}\nvariable "task_cpu" { default = 512 }\nvariable "task_memory" { default = 1024 }\n'
                'variable "desired" { default = 2 }\nvariable "cluster" { default = "main" }\n'
                'variable "alarms" { default = true }\nvariable "tags" { default = {} }\n'
                f'locals {{\n  name = "app-{m}-${{var.env}}"\n  retention = {{ production = 90, staging = 14 }}\n}}\n'
                'output "name" { value = local.name }\n']
        i = 0
        while i < per:
            body.append(BLOCKS[i % len(BLOCKS)].format(i=i))
            i += 1
        (d / "main.tf").write_text("".join(body))
        calls.append(f'module "m{m:02d}" {{\n  source = "./modules/m{m:02d}"\n  env = var.env\n'
                     f'  tags = {{ Team = "t{m % 3}" }}\n}}\n')
    (root / "main.tf").write_text('provider "aws" {\n  region = var.region\n}\nvariable "region" { default = '
                                  '"ap-northeast-2" }\nvariable "env" { default = "production" }\n' + "".join(calls))


def run_one(resources: int, modules: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        generate(tree, resources, modules)
        code = ("import time,sys,json,resource; t=time.perf_counter();"
                "from stackcost.terraform.build import import_terraform;"
                "from stackcost.terraform.emit import to_yaml; from pathlib import Path; t1=time.perf_counter();"
                f"imp=import_terraform(Path({str(tree)!r}), []); to_yaml(imp);"
                "print(json.dumps({'seconds': time.perf_counter()-t, 'work': time.perf_counter()-t1,"
                "'instances': len(imp.instances),"
                "'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}))")
        runs = []
        for _ in range(REPEAT):  # the machine is shared: the fastest of a few cold runs is the import's own cost
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                 env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}, timeout=300)
            runs.append(json.loads(out.stdout))
        best = min(runs, key=lambda r: r["seconds"])
        best["median"] = sorted(r["seconds"] for r in runs)[len(runs) // 2]
        return dict(best)


def main() -> None:
    sizes = [tuple(int(x) for x in a.split(":")) for a in sys.argv[1:]] or [(125, 5), (250, 10), (500, 20),
                                                                           (1000, 40), (2000, 80)]
    print(f"{'resources':>9} {'modules':>7} {'instances':>9} {'total s':>8} {'median s':>8} {'import s':>8} "
          f"{'peak MB':>8}")
    for n, m in sizes:
        r = run_one(n, m)
        print(f"{n:>9} {m:>7} {int(r['instances']):>9} {r['seconds']:>8.2f} {r['median']:>8.2f} {r['work']:>8.2f} "
              f"{r['peak_mb']:>8.0f}")


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
