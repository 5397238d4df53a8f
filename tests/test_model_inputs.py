"""Issue #13: Container Insights counted from the sizing, the page's knobs for the new sections, and bad input
in them (one `error:` line, exit 2)."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from stackcost.catalog import Catalog
from stackcost.estimate import estimate
from stackcost.sizing.model import Stack
from stackcost.ui import scenario


def _svc(name: str) -> dict[str, object]:
    return {"name": name, "tasks": 1, "vcpu": 1, "memory_gb": 2}


def test_container_insights_metrics_grow_with_services(catalog: Catalog) -> None:
    # AWS's ECS Container Insights table: 10 metrics × (cluster + each service + each task family),
    # 5 metrics per service, 2 per cluster (ContainerInstanceCount is for EC2 instances only).
    for services, expected in ((1, 10 * 3 + 5 + 2), (2, 10 * 5 + 5 * 2 + 2)):
        stack = Stack.model_validate({"environments": {"e": {
            "fargate": [_svc(f"s{i}") for i in range(services)], "account": "x",
            "cloudwatch": {"container_insights": True, "alarms": 1}}}})
        metrics = next(i for i in estimate(stack, "e", catalog).items if i.component == "metrics")
        assert metrics.quantity == expected
    typed = Stack.model_validate({"environments": {"e": {"fargate": [_svc("a")], "cloudwatch": {
        "container_insights": True, "container_insights_metrics": 20}}}})
    assert next(i for i in estimate(typed, "e", catalog).items if i.component == "metrics").quantity == 20


SIZING = {"aurora": {"instances": [{"instance_class": "db.r6g.large"}, {"instance_class": "db.serverless"}],
                     "acu": {"low": 1, "typical": 2, "high": 4}, "storage_gb": 10},
          "elasticache_serverless": {"data_stored_gb": 1}, "xray": {"requests_per_s": 2}, "kms": {"keys": 1},
          "acm": {"public_certificates": 1}, "vpc_endpoints": {"interface_endpoints": 2}, "nlb": {}}


def test_the_page_has_knobs_for_the_new_sections(catalog: Catalog) -> None:
    stack = Stack.model_validate({"environments": {"e": SIZING}})
    knobs = {k.path: k for k in scenario.knobs(stack.environments["e"], catalog)}
    for path in ("aurora.storage", "aurora.instances.0.instance_class", "aurora.instances.1.count", "aurora.acu",
                 "elasticache_serverless.engine", "xray.requests_per_s", "kms.keys", "acm.public_certificates",
                 "vpc_endpoints.interface_endpoints", "nlb.processed_gb_per_h"):
        assert path in knobs, path
    classes = knobs["aurora.instances.0.instance_class"].choices
    assert "db.serverless" in classes and "db.r7g.large" in classes
    changed = scenario.apply(stack.environments["e"], {"aurora.instances.0.instance_class": "db.r7g.large"})
    before = estimate(stack, "e", catalog)
    after = estimate(scenario.stack_with(stack, "e", changed), "e", catalog)
    writer = [i for i in after.items if "writer" in i.component]
    # "db.r7g.large Aurora PostgreSQL on-demand (Aurora Standard ...)" 0.333/h against db.r6g.large 0.313/h
    assert writer[0].monthly_usd == Decimal("0.333") * 730
    assert after.total - before.total == (Decimal("0.333") - Decimal("0.313")) * 730


def _run(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    cfg = tmp_path / "cost.yaml"
    cfg.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "stackcost", "estimate", "e", "--config", str(cfg)],
                          capture_output=True, text=True, timeout=60)


def test_bad_input_in_the_new_sections_is_one_line(tmp_path: Path) -> None:
    typo = _run(tmp_path, "environments:\n  e:\n    aurora:\n      instances: [{instance_class: db.r6g.lrge}]\n")
    assert typo.returncode == 2 and typo.stderr.startswith("error: ") and "Traceback" not in typo.stderr
    assert "db.r6g.large" in typo.stderr  # the nearest class is suggested
    acu = _run(tmp_path, "environments:\n  e:\n    aurora:\n      instances: [{instance_class: db.serverless}]\n"
                         "      max_acu: 4\n      acu: 8\n")
    assert acu.returncode == 2 and "acu must lie within min_acu..max_acu" in acu.stderr and "Traceback" not in \
        acu.stderr
