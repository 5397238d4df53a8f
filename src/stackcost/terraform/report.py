"""`cost import terraform`: inputs checked, the import run, the YAML written (never over an existing file without
--force, never half-written), and the result as text (the YAML path and a table of resource states) or JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from stackcost.errors import UserError
from stackcost.terraform.build import Imported, build, import_terraform
from stackcost.terraform.emit import to_yaml

STATES = ("priced", "free", "unsupported", "not-created", "unresolved")


def run_import(directory: Path | None, plan: Path | None, var_files: list[Path], region: str | None,
               env: str | None, output: Path, force: bool, fmt: str, workspace: str | None,
               download: bool, cache: Path | None) -> str:
    if (directory is None) == (plan is None):
        raise UserError("give a Terraform directory or --plan FILE (one of them)")
    if output.exists() and not force:
        raise UserError(f"{output} already exists; not overwriting it (use --force)")
    if output.exists() and output.is_dir():
        raise UserError(f"-o {output}: is a directory")
    for vf in var_files:
        if not vf.is_file():
            raise UserError(f"--var-file {vf}: no such file")
    if plan is not None:
        if not plan.is_file():
            raise UserError(f"--plan {plan}: no such file")
        if var_files or workspace or download:
            raise UserError("--var-file, --workspace and --download-modules apply to a directory, not to --plan")
        from stackcost.terraform.plan import read_plan

        tree, code_region, source = read_plan(plan)
        if code_region:
            tree.providers = []
        plan_env = tree.variables.get("environment")
        imported = build(tree, env or (plan_env if isinstance(plan_env, str) and plan_env else "production"),
                         region or code_region, f"plan {plan}")
        if not region and code_region:
            imported.region_source = source
        elif not region:
            imported.region_source += f" ({source})"
    else:
        assert directory is not None
        if not directory.is_dir():
            raise UserError(f"{directory}: not a directory")
        finder = None
        if download:
            from stackcost.terraform.download import Downloader

            finder = Downloader(cache or Path.home() / ".cache" / "stackcost" / "terraform-modules").find
        imported = import_terraform(directory, var_files, env, region, workspace, finder)
    text = to_yaml(imported)
    from stackcost.util import write_atomic

    write_atomic(output, text)
    if fmt == "json":
        return json.dumps(as_json(imported, output), indent=2) + "\n"
    for w in imported.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return summary(imported, output)


def as_json(imp: Imported, output: Path) -> dict[str, Any]:
    return {"region": imp.region, "region_source": imp.region_source, "environment": imp.environment,
            "output": str(output),
            "resources": [{"address": i.address, "type": i.type, "status": i.status, "reason": i.reason,
                           "file": i.where} for i in imp.instances],
            "warnings": list(imp.warnings)}


def summary(imp: Imported, output: Path) -> str:
    rows: dict[str, dict[str, int]] = {}
    for i in imp.instances:
        rows.setdefault(i.type, {s: 0 for s in STATES})[i.status] += 1
    width = max([len("resource type"), *(len(t) for t in rows)])
    lines = [f"wrote {output} ({imp.environment}, region {imp.region}: {imp.region_source})",
             f"then: cost estimate {imp.environment} --config {output}", "",
             f"{'resource type':<{width}}  " + "  ".join(f"{s:>11}" for s in STATES)]
    for t in sorted(rows):
        lines.append(f"{t:<{width}}  " + "  ".join(f"{rows[t][s] or '':>11}" for s in STATES))
    totals = {s: sum(r[s] for r in rows.values()) for s in STATES}
    lines.append(f"{'total':<{width}}  " + "  ".join(f"{totals[s]:>11}" for s in STATES))
    for i in imp.instances:
        if i.status in ("unsupported", "unresolved"):
            lines.append(f"  {i.status}: {i.address} ({i.where}): {i.reason}")
    return "\n".join(lines) + "\n"
