"""The cost of a change (`cost diff`): two sizings, Terraform trees or git refs, paired line by line.

For the what-if page: `compare_stacks(baseline, what_if, catalog)` (every environment) or
`compare_environment(name, baseline, what_if, catalog)` give the same pairing, bands and commitments as the CLI;
`render.to_markdown(diff)` / `Diff.to_json()` render them.
"""

from __future__ import annotations

from stackcost.diff.core import (
    Change,
    Diff,
    DiffError,
    EnvironmentDiff,
    compare_environment,
    compare_estimates,
    compare_stacks,
    stable_key,
)

__all__ = ["Change", "Diff", "DiffError", "EnvironmentDiff", "compare_environment", "compare_estimates",
           "compare_stacks", "stable_key"]
