"""A time bound for one test without a plugin: SIGALRM raises TestTimeout (a BaseException, so the code under
test cannot swallow it as an ordinary error) if the block runs longer than `seconds`."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class TestTimeout(BaseException):
    __test__ = False


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def fire(signum: int, frame: FrameType | None) -> None:
        raise TestTimeout(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
