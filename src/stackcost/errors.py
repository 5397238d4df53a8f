"""One error base class: anything the user can cause (a bad option, file, config, catalog, answer) raises a
subclass of `StackcostError` with a one-line message; the CLI prints it and exits 2. Any other exception is a
bug: the CLI prints one line and writes the traceback to a file (exit 70).

This module imports nothing, so every other module can subclass it without a cycle or a start-up cost.
"""

from __future__ import annotations


class StackcostError(Exception):
    """A problem with what the user asked for or gave us; its message is shown as `error: <message>`."""

    exit_code = 2


class UserError(StackcostError):
    """A bad command-line argument or combination of them."""
