"""BASE and HEAD of `cost diff`: a sizing YAML, a Terraform directory, a plan JSON, or a git ref of the current
repository, each turned into sizing stacks per environment.

A git ref is exported with `git archive` into a temporary directory: the work tree, the index and HEAD are never
touched. `--path` and `--var-file` are then read inside that tree, so a tfvars change is a change.
"""

from __future__ import annotations

import re
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from stackcost.diff.core import DiffError
from stackcost.sizing.load import load_stack, parse_stack
from stackcost.sizing.model import Stack

GIT_TIMEOUT_S = 120


@dataclass
class Side:
    label: str  # as the user gave it, with the commit for a git ref
    stacks: dict[str, Stack]  # environment -> a stack holding it (a Terraform import is one environment per stack)
    terraform: dict[str, str] | None = None  # resource address -> type, when the side is Terraform
    notes: list[str] = field(default_factory=list)
    missing: bool = False  # --path does not exist at this git ref (e.g. the change adds the Terraform)


# -- adapters to other branches' code: keep them this small so they can be re-pointed after a merge --------------

def terraform_environment(directory: Path, var_files: list[Path], env: str | None) -> tuple[str, Stack, list[str]]:
    """One environment imported from Terraform: (name, stack, importer warnings)."""
    from stackcost.terraform.build import import_terraform
    from stackcost.terraform.emit import to_yaml

    imported = import_terraform(directory, var_files, env)
    stack = parse_stack(to_yaml(imported, str(directory)), f"{directory} (imported)")
    return imported.environment, stack, list(imported.warnings)


def plan_environments(path: Path, env: str | None) -> dict[str, Stack]:
    """A `terraform show -json` plan: its one environment (`--env`, else the plan's var.environment, else
    production), imported as `cost import terraform --plan` imports it."""
    from stackcost.terraform.build import build
    from stackcost.terraform.emit import to_yaml
    from stackcost.terraform.plan import read_plan

    tree, code_region, _ = read_plan(path)
    if code_region:
        tree.providers = []
    plan_env = tree.variables.get("environment")
    name = env or (plan_env if isinstance(plan_env, str) and plan_env else "production")
    imported = build(tree, name, code_region, f"plan {path}")
    return {imported.environment: parse_stack(to_yaml(imported, f"plan {path}"), f"{path} (plan)")}


# -- Terraform inventory: which resource blocks exist (to flag added resources no line prices) ----------------

_RESOURCE = re.compile(r'^\s*resource\s+"([A-Za-z0-9_]+)"\s+"([^"]+)"', re.MULTILINE)


def terraform_resources(directory: Path) -> dict[str, str]:
    """`modules/rds/aws_db_instance.main` -> `aws_db_instance` for every resource block under `directory`."""
    out: dict[str, str] = {}
    for tf in sorted(directory.rglob("*.tf")):
        rel = tf.relative_to(directory)
        if ".terraform" in rel.parts:
            continue
        try:
            text = tf.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise DiffError(f"{tf}: cannot be read ({exc.strerror or exc})") from None
        where = rel.parent.as_posix()
        for rtype, name in _RESOURCE.findall(text):
            out[f"{where}/{rtype}.{name}" if where != "." else f"{rtype}.{name}"] = rtype
    return out


# -- one tree (a directory, or a git ref exported) ------------------------------------------------------------

_AUTO = ("terraform.tfvars", "terraform.tfvars.json")


def _auto_var_files(directory: Path) -> list[Path]:
    """What Terraform loads by itself: terraform.tfvars, then *.auto.tfvars in name order."""
    found = [directory / n for n in _AUTO if (directory / n).is_file()]
    return found + sorted(p for p in directory.glob("*.auto.tfvars*") if p.is_file())


def _env_var_files(directory: Path) -> dict[str, Path]:
    """`production.tfvars` -> production: one environment per var file, as the guide lays them out."""
    return {p.name.split(".")[0]: p for p in sorted(directory.glob("*.tfvars"))
            if p.name not in _AUTO and ".auto." not in p.name}


def _resolve_var_files(var_files: list[str], target: Path, root: Path, label: str) -> list[Path]:
    out = []
    for vf in var_files:
        p = Path(vf)
        candidates = [p] if p.is_absolute() else [target / p, root / p]
        hit = next((c for c in candidates if c.is_file()), None)
        if hit is None:
            raise DiffError(f"--var-file {vf}: not found in {label} (looked in "
                            + " and ".join(_shown(c, root, label) for c in candidates) + ")")
        out.append(hit)
    return out


def _shown(path: Path, root: Path, label: str) -> str:
    try:
        return f"{label}:{path.relative_to(root).as_posix()}"
    except ValueError:
        return str(path)


def _terraform(target: Path, root: Path, label: str, var_files: list[str], env: str | None) -> Side:
    side = Side(label, {}, terraform=terraform_resources(target))
    runs: list[tuple[list[Path], str | None]]
    auto = _auto_var_files(target)
    if var_files:
        runs = [(auto + _resolve_var_files(var_files, target, root, label), env)]
    else:
        per_env = _env_var_files(target)
        if env is not None and env in per_env:
            runs = [([*auto, per_env[env]], env)]
        elif env is None and per_env:
            runs = [([*auto, vf], name) for name, vf in per_env.items()]
        elif per_env:
            runs = []  # one var file per environment, none for this one: the side does not have it
        else:
            runs = [(auto, env)]
    for files, name in runs:
        got, stack, warnings = terraform_environment(target, files, name)
        if env is not None and got != env:
            continue
        side.stacks[got] = stack
        side.notes += [f"{label}: {_strip(w, root, label)}" for w in warnings]
    return side


def _strip(text: str, root: Path, label: str) -> str:
    """Importer warnings name files under the temporary export: show them relative to the tree instead."""
    return text.replace(str(root) + "/", "").replace(str(root), label)


def load_tree(target: Path, root: Path, label: str, var_files: list[str], env: str | None) -> Side:
    """What `target` (inside the tree at `root`) holds: a sizing YAML, a plan JSON or a Terraform directory."""
    if target.is_file():
        if target.suffix in (".yaml", ".yml"):
            stack, _ = load_stack(target)
            return Side(label, {n: stack for n in stack.environments if env in (None, n)})
        if target.suffix == ".json":
            return Side(label, {n: s for n, s in plan_environments(target, env).items() if env in (None, n)})
        raise DiffError(f"{_shown(target, root, label)}: not a sizing YAML (.yaml), a plan JSON or a directory")
    if any(target.glob("*.tf")):
        return _terraform(target, root, label, var_files, env)
    for name in ("cost.yaml", "cost.yml"):
        if (target / name).is_file():
            return load_tree(target / name, root, label, var_files, env)
    raise DiffError(f"{_shown(target, root, label)}: no .tf files and no cost.yaml")


# -- git ------------------------------------------------------------------------------------------------------

def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT_S, check=False)
    except FileNotFoundError:
        raise DiffError("git is not installed: a git ref cannot be read") from None
    except subprocess.TimeoutExpired:
        raise DiffError(f"git {args[0]} took longer than {GIT_TIMEOUT_S} s") from None


def resolve_ref(ref: str, repo: Path) -> str | None:
    """The commit a ref names in the repository at `repo`, or None when it is not a ref there."""
    if ref.startswith("-"):
        return None  # never let a ref be read as a git option
    r = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], repo)
    return r.stdout.decode().strip() if r.returncode == 0 else None


@contextmanager
def exported(commit: str, repo: Path) -> Iterator[Path]:
    """The tree at `commit` in a temporary directory, by `git archive` (the work tree is never touched)."""
    with tempfile.TemporaryDirectory(prefix="stackcost-diff-") as tmp:
        proc = subprocess.Popen(["git", "archive", "--format=tar", commit], cwd=repo, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        assert proc.stdout is not None
        try:
            with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
                tar.extractall(tmp, filter="data")  # no absolute paths, links out of the tree or devices
            while proc.stdout.read(1 << 16):
                pass  # the tar's trailing padding: unread, git would die of SIGPIPE and look like a failure
        except tarfile.TarError as exc:
            proc.kill()
            raise DiffError(f"git archive {commit[:12]}: {exc}") from None
        finally:
            proc.stdout.close()
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            try:
                code = proc.wait(timeout=GIT_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise DiffError(f"git archive {commit[:12]} took longer than {GIT_TIMEOUT_S} s") from None
        if code != 0:
            last = err.strip().splitlines()[-1] if err.strip() else f"exit {code}"
            raise DiffError(f"git archive {commit[:12]} failed: {last}")
        yield Path(tmp)


def _inside(root: Path, path: str | None, spec: str) -> Path:
    target = (root / path).resolve() if path else root.resolve()
    if not target.is_relative_to(root.resolve()):
        raise DiffError(f"--path {path}: outside the tree of {spec}")
    return target


def load_side(spec: str, *, path: str | None, var_files: list[str], env: str | None, repo: Path) -> Side:
    """BASE or HEAD as the user wrote it: an existing file or directory first, else a git ref of `repo`."""
    p = Path(spec)
    if p.exists():
        if p.is_dir():
            target = _inside(p, path, spec)
            if not target.exists():
                raise DiffError(f"{spec}: --path {path} does not exist in it")
            return load_tree(target, p.resolve(), spec, var_files, env)
        return load_tree(p, p.parent, spec, var_files, env)
    commit = resolve_ref(spec, repo)
    if commit is None:
        raise DiffError(f"{spec}: not a file, a directory or a git ref of the repository at {repo}")
    label = f"{spec} ({commit[:7]})"
    with exported(commit, repo) as root:
        target = _inside(root, path, spec)
        if not target.exists():
            return Side(label, {}, terraform={}, missing=True,
                        notes=[f"{label}: {path} does not exist at this commit: everything in it is new or gone"])
        return load_tree(target, root.resolve(), label, var_files, env)
