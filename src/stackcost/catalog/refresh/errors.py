"""Refresh failures: each is one line for the user, and the installed catalog is untouched when one is raised."""

from __future__ import annotations


class RefreshError(Exception):
    """A refresh that could not fetch or parse its data."""


class RefreshRefused(RefreshError):
    """The new catalog failed a safety check (lost a service, or too many records); --force overrides."""
