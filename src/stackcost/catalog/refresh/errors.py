"""Refresh failures: each is one line for the user, and the installed catalog is untouched when one is raised."""

from __future__ import annotations

from stackcost.errors import StackcostError


class RefreshError(StackcostError):
    """A refresh that could not fetch or parse its data."""


class RefreshRefused(RefreshError):
    """The new catalog failed a safety check (lost a service, or too many records); --force overrides."""
