"""Writing to stdout the way command-line tools are expected to: a closed pipe (``drctl check --json | head``)
ends the output quietly instead of with a BrokenPipeError traceback."""

from __future__ import annotations

import os
import sys

_closed = False


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail on the closed pipe."""
    global _closed
    _closed = True
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (captured, replaced)
        pass


def emit(text: str = "") -> None:
    """Print ``text`` and a newline to stdout; once the reader has gone, print nothing more."""
    if _closed:
        return
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()


def pipe_closed() -> bool:
    """Whether the reader of stdout has gone away."""
    return _closed
