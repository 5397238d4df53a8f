"""The fixture git repository of the diff tests, built from the guide's Terraform (tests/fixtures/terraform):

1. the tree as it is (production: 2 tasks of 2 vCPU / 4 GB, db.t3.medium Multi-AZ);
2. production.tfvars: desired_count 2 -> 3 and instance_class db.t3.medium -> db.m7g.large;
3. an Aurora PostgreSQL cluster added as a module (the contract's example: a db.r6g.large writer).

`origin/main` points at commit 1, as in a pull request's checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "terraform"

AURORA_MODULE = """\
# An Aurora PostgreSQL cluster (the sizing contract's example: a db.r6g.large writer).
variable "project_name" {}
variable "environment" {}

resource "aws_rds_cluster" "main" {
  cluster_identifier = "${var.project_name}-aurora"
  engine             = "aurora-postgresql"
  storage_encrypted  = true
}

resource "aws_rds_cluster_instance" "writer" {
  identifier         = "${var.project_name}-aurora-writer"
  cluster_identifier = aws_rds_cluster.main.id
  instance_class     = "db.r6g.large"
  engine             = aws_rds_cluster.main.engine
}
"""

AURORA_CALL = """
module "aurora" {
  source       = "./modules/aurora"
  project_name = var.project_name
  environment  = var.environment
}
"""

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True,
                          timeout=60).stdout.strip()


def _sub(path: Path, pattern: str, repl: str) -> None:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, repl, text, flags=re.MULTILINE)
    assert n == 1, f"{pattern!r} not found once in {path}"
    path.write_text(new, encoding="utf-8")


def make_repo(root: Path) -> dict[str, str]:
    """The three commits; returns their ids by name (one, two, three)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "feature")
    shutil.copytree(FIXTURE, root / "terraform")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the guide's Terraform")
    ids = {"one": git(root, "rev-parse", "HEAD")}
    tfvars = root / "terraform" / "production.tfvars"
    _sub(tfvars, r"^(desired_count\s*=\s*)2\b", r"\g<1>3")
    _sub(tfvars, r'"db\.t3\.medium"', '"db.m7g.large"')
    git(root, "commit", "-q", "-am", "production: 3 tasks, db.m7g.large")
    ids["two"] = git(root, "rev-parse", "HEAD")
    (root / "terraform" / "modules" / "aurora").mkdir()
    (root / "terraform" / "modules" / "aurora" / "main.tf").write_text(AURORA_MODULE, encoding="utf-8")
    with (root / "terraform" / "main.tf").open("a", encoding="utf-8") as fh:
        fh.write(AURORA_CALL)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "an Aurora cluster")
    ids["three"] = git(root, "rev-parse", "HEAD")
    git(root, "update-ref", "refs/remotes/origin/main", ids["one"])
    return ids
