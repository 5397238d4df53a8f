"""examples/github-actions/cost-diff.yml: valid against GitHub's workflow schema (SchemaStore's public file, see
tests/fixtures/github-workflow-schema/SOURCE), and its `run:` steps executed with bash against the fixture git
repository, with a fake `gh` (and a fake `pip`: no network) on PATH that record what would be posted."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.test_diff_support import make_repo

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "examples" / "github-actions" / "cost-diff.yml"
SCHEMA = Path(__file__).parent / "fixtures" / "github-workflow-schema" / "github-workflow.json"
MARKER = "<!-- stackcost-cost-diff -->"

# A stand-in for the GitHub CLI: keeps the PR's comments in a JSON file and logs every call.
FAKE_GH = r'''#!/usr/bin/env python3
import json, os, sys
state = os.environ["FAKE_GH_STATE"]
data = json.load(open(state)) if os.path.exists(state) else {"comments": [], "calls": []}
args = sys.argv[1:]
data["calls"].append(args)
def value_after(flag):
    return args[args.index(flag) + 1]
if args[:1] == ["api"] and "--method" not in args:  # list the PR's comments, filtered by --jq
    assert args[1].endswith("/issues/%s/comments" % os.environ["PR_NUMBER"]), args
    marker = "<!-- stackcost-cost-diff -->"
    for c in data["comments"]:
        if c["body"].startswith(marker):
            print(c["id"])
elif args[:3] == ["api", "--method", "PATCH"]:
    cid = int(args[3].rsplit("/", 1)[1])
    field = value_after("-F")
    assert field.startswith("body=@"), field
    body = open(field[len("body=@"):]).read()
    for c in data["comments"]:
        if c["id"] == cid:
            c["body"] = body
elif args[:2] == ["pr", "comment"]:
    body = open(value_after("--body-file")).read()
    data["comments"].append({"id": 100 + len(data["comments"]), "pr": args[2], "body": body})
else:
    sys.exit("fake gh: unexpected call %r" % (args,))
json.dump(data, open(state, "w"))
'''

FAKE_PIP = '#!/bin/sh\necho "$@" >> "$FAKE_PIP_LOG"\n'


class _Yaml12(yaml.SafeLoader):
    """GitHub reads workflows as YAML 1.2, where `on:` is a string key (PyYAML's 1.1 makes it True)."""


_Yaml12.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def load_workflow() -> dict[Any, Any]:
    return yaml.load(WORKFLOW.read_text(encoding="utf-8"), Loader=_Yaml12)  # type: ignore[no-any-return]


def test_workflow_is_valid_against_githubs_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    doc = load_workflow()
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    # The schema accepts a wrong workflow too; a broken one must fail it (so the check is not vacuous).
    broken = {**doc, "jobs": {"cost-diff": {**doc["jobs"]["cost-diff"], "runs-on": None, "stepz": []}}}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))


def test_workflow_needs_no_aws_credentials() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert not re.search(r"aws-actions/configure-aws-credentials|AWS_ACCESS_KEY|AWS_SECRET|role-to-assume", text)
    assert load_workflow()["permissions"] == {"contents": "read", "pull-requests": "write"}


GITHUB_CONTEXT = {"github.base_ref": "main", "github.event.pull_request.number": "7", "github.token": "fake-token"}


def _expand(value: str, outputs: dict[str, str]) -> str:
    """${{ ... }} the way Actions fills it for a pull request into main (only the expressions the file uses)."""
    def one(m: re.Match[str]) -> str:
        expr = m.group(1).strip()
        if expr in GITHUB_CONTEXT:
            return GITHUB_CONTEXT[expr]
        if expr.startswith("steps.diff.outputs."):
            return outputs.get(expr.rsplit(".", 1)[1], "")
        raise AssertionError(f"expression not handled by the test: {expr}")

    return re.sub(r"\$\{\{(.*?)\}\}", one, str(value))


def _condition(expr: str, outputs: dict[str, str]) -> bool:
    m = re.fullmatch(r"steps\.diff\.outputs\.code != '(\d+)'", expr.strip())
    assert m, f"if: not handled by the test: {expr}"
    return outputs.get("code", "") != m.group(1)


def run_workflow(repo: Path, tmp: Path, extra_env: dict[str, str] | None = None) -> tuple[list[str], int]:
    """Every `run:` step in order, as the runner does (bash -e, job env + step env, GITHUB_OUTPUT); `uses:`
    steps (checkout, setup-python) are what the fixture repository and this interpreter already provide."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, text in (("gh", FAKE_GH), ("pip", FAKE_PIP)):
        (bin_dir / name).write_text(text, encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    cost = bin_dir / "cost"  # the `cost` console script of this checkout, as pip would install it
    cost.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m stackcost "$@"\n', encoding="utf-8")
    cost.chmod(0o755)
    wf = load_workflow()
    job = wf["jobs"]["cost-diff"]
    outputs: dict[str, str] = {}
    ran: list[str] = []
    code = 0
    for step in job["steps"]:
        if "run" not in step:
            assert step["uses"].startswith(("actions/checkout@", "actions/setup-python@")), step
            continue
        if "if" in step and not _condition(step["if"], outputs):
            continue
        out_file = tmp / "github_output"
        out_file.write_text("", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GH_", "GITHUB_"))}
        env.update({k: _expand(str(v), outputs) for k, v in {**wf.get("env", {}), **job.get("env", {}),
                                                            **step.get("env", {})}.items()})
        env.update({"PATH": f"{bin_dir}{os.pathsep}{env['PATH']}", "PYTHONPATH": str(ROOT / "src"),
                    "GITHUB_OUTPUT": str(out_file), "GITHUB_REPOSITORY": "hospital/infra",
                    "FAKE_GH_STATE": str(tmp / "gh.json"), "FAKE_PIP_LOG": str(tmp / "pip.log"),
                    **(extra_env or {})})
        r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _expand(step["run"], outputs)],
                           cwd=repo, env=env, capture_output=True, text=True, timeout=300)
        ran.append(step.get("name", step["run"].split()[0]))
        for line in out_file.read_text(encoding="utf-8").splitlines():
            k, _, v = line.partition("=")
            outputs[k] = v
        code = r.returncode
        if code != 0:
            break
    return ran, code


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "infra"
    ids = make_repo(root)
    subprocess.run(["git", "checkout", "-q", ids["two"]], cwd=root, check=True, timeout=60)
    return root


def _state(tmp: Path) -> dict[str, Any]:
    return json.loads((tmp / "gh.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_workflow_posts_then_updates_one_comment(repo: Path, tmp_path: Path) -> None:
    ran, code = run_workflow(repo, tmp_path)
    assert code == 0 and len(ran) == 3, ran
    assert (tmp_path / "pip.log").read_text(encoding="utf-8").split() == ["install", "--upgrade", "stackcost"]
    state = _state(tmp_path)
    assert len(state["comments"]) == 1
    first = state["comments"][0]
    assert first["pr"] == "7" and first["body"].startswith(MARKER)
    assert "db.m7g.large" in first["body"] and "+$261.59" in first["body"]  # 67.97 + 14.92 + 178.70, test_diff
    # A second push: the same comment is edited, not a second one added.
    (repo / "terraform" / "staging.tfvars").write_text(
        (repo / "terraform" / "staging.tfvars").read_text(encoding="utf-8").replace("desired_count      = 1",
                                                                                  "desired_count      = 2"),
        encoding="utf-8")
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qam", "staging: 2"],
                   cwd=repo, check=True, timeout=60)
    ran, code = run_workflow(repo, tmp_path)
    assert code == 0
    state = _state(tmp_path)
    assert len(state["comments"]) == 1
    assert state["calls"][-1][:3] == ["api", "--method", "PATCH"]
    assert "| staging |" in state["comments"][0]["body"]
    assert state["comments"][0]["body"] != first["body"]


def test_workflow_gate_fails_the_job_after_commenting(repo: Path, tmp_path: Path) -> None:
    ran, code = run_workflow(repo, tmp_path, {"COST_FAIL_ABOVE": "10%"})
    assert code != 0 and ran[-1].startswith("Fail when")
    body = _state(tmp_path)["comments"][0]["body"]
    assert "above --fail-above 10%" in body


def test_workflow_comments_an_error_instead_of_nothing(repo: Path, tmp_path: Path) -> None:
    (repo / "terraform" / "production.tfvars").write_text('instance_class = "db.t3.medium"\nbroken = [\n',
                                                          encoding="utf-8")
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qam", "typo"],
                   cwd=repo, check=True, timeout=60)
    _, code = run_workflow(repo, tmp_path)
    assert code != 0
    body = _state(tmp_path)["comments"][0]["body"]
    assert body.startswith(MARKER) and "could not price this change" in body and "error:" in body
