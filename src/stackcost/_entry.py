"""The `cost` console script's entry point: small on purpose. Importing it takes Ctrl-C before the CLI's imports
(pydantic, yaml, rich: most of start-up) begin, so an interrupt from then on is one line and exit 130, never a
traceback from inside an import. (Only the interpreter's own start-up, before this module is found, is earlier.)
Nothing but the console script and `python -m stackcost` imports this module."""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # the C module (no stub): `signal` builds enums (~10 ms)
import sys


def _interrupted(signum: int, frame: object) -> None:
    sys.stderr.write("interrupted\n")
    sys.stderr.flush()
    import os

    os._exit(130)  # nothing is open or half-written yet


try:  # noqa: SIM105 (contextlib is one more import before the handler is in place)
    _signal.signal(_signal.SIGINT, _interrupted)
except ValueError:  # not the main thread (a test importing this): Ctrl-C stays as it is
    pass


def main() -> None:
    import os

    # pydantic scans every installed distribution's entry points for plugins at import (~30 ms of a cold start);
    # stackcost uses none. A user who sets the variable keeps their choice.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from stackcost.cli import main as cli_main  # cli.main() puts Python's own Ctrl-C handling back

    try:
        cli_main()
        code = 0
    except SystemExit as exc:  # cli.main ends every failure this way, having said what it was
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            sys.stderr.write(exc.code + "\n")
    # Leave without the interpreter's teardown: everything is written and nothing is open (cli.main flushed
    # stdout, said what a failing flush meant, and cleaned up), teardown takes tens of ms here, and during it
    # Python has put SIGINT back to the system default, so a Ctrl-C then would kill the process by signal
    # instead of exiting 130.
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # None when started with it closed
                stream.flush()
        except OSError:  # cli.main has already reported it
            pass
    os._exit(code)
