"""Progress lines on stderr for slow steps, so a multi-second plan is not silent for a person at a terminal.

A step that finishes within a second says nothing; nothing is printed when stderr is not a terminal (CI logs,
pipes, tests), so stdout and stderr stay clean for tools.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .terminal import emit_status

#: Steps shorter than this print nothing.
THRESHOLD_SECONDS = 1.0


@dataclass
class Step:
    """What a step did, filled in by the caller before the step ends (e.g. how many resources)."""

    what: str
    detail: str = ""


def enabled() -> bool:
    """Whether progress goes to stderr: only when a person is watching it."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def step(what: str) -> Iterator[Step]:
    """Time a step; if it took a second or more and stderr is a terminal, say so on stderr when it ends."""
    current = Step(what)
    started = time.monotonic()
    yield current
    elapsed = time.monotonic() - started
    if elapsed >= THRESHOLD_SECONDS and enabled():
        detail = f": {current.detail}" if current.detail else ""
        emit_status(f"drctl: {current.what}{detail} ({elapsed:.1f} s)", sys.stderr)
