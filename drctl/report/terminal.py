"""Colour for a person at a terminal, the same bytes for everything else.

Reports (plan, check, diff, a switch's runbook, the rule table) are plain text built by the report modules. On a
terminal each line is printed through rich with a style for what it says (a mandatory violation red, PASS green,
a note dim); in a pipe, a file, CI or a test the text goes out unchanged. ``NO_COLOR`` (any non-empty value,
no-color.org) turns colour off, ``FORCE_COLOR`` turns it on without a terminal (CI logs that render ANSI), and
``TERM=dumb`` is plain. rich is imported only when colour is used, so a plain run pays nothing for it.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from .output import emit, pipe_closed

#: The style of a report line, by what it starts with once its indentation is stripped; first match wins.
LINE_STYLES: tuple[tuple[str, str], ...] = (
    ("MANDATORY", "bold red"),
    ("FAIL:", "bold red"),
    ("ERROR:", "bold red"),
    ("UNSAFE:", "bold red"),
    ("REFUSED", "bold red"),
    ("ADVISORY", "yellow"),
    ("EXEMPT", "cyan"),
    ("NOT EVALUATED", "dim"),
    ("note:", "dim"),
    ("PASS:", "bold green"),
    ("SAFE:", "bold green"),
    ("safe:", "bold green"),
    ("stack ", "bold"),
    ("policy pack ", "bold"),
)


def colour_wanted(stream: TextIO) -> bool:
    """Whether ``stream`` gets colour: NO_COLOR wins, then FORCE_COLOR, then a terminal that is not dumb."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def line_style(line: str) -> str:
    """The style of one report line ("" for none)."""
    text = line.lstrip()
    return next((style for prefix, style in LINE_STYLES if text.startswith(prefix)), "")


def emit_report(text: str) -> None:
    """Print a human report: styled line by line on a terminal, else exactly ``text`` (``output.emit``)."""
    if pipe_closed() or not colour_wanted(sys.stdout):
        emit(text)
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=sys.stdout, highlight=False, soft_wrap=True, force_terminal=True)
    for line in text.split("\n"):
        console.print(Text(line, style=line_style(line)))


def emit_status(message: str, stream: TextIO) -> None:
    """A progress or status line on ``stream`` (stderr): dim on a terminal, plain otherwise."""
    if not colour_wanted(stream):
        print(message, file=stream, flush=True)
        return
    from rich.console import Console
    from rich.text import Text

    Console(file=stream, highlight=False, soft_wrap=True, force_terminal=True).print(Text(message, style="dim"))
