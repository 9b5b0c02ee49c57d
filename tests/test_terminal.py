"""Colour only for a person at a terminal: the same bytes in pipes, files, CI and tests; NO_COLOR and FORCE_COLOR
as the ecosystem reads them."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from azure_dr.cli.report import terminal

REPORT = "\n".join(
    [
        "policy pack azure-dr v0.2.0: 68 rules + 3 gate rules",
        "stack primary: 113 resources, 1 mandatory, 0 advisory, 0 exempt",
        "  MANDATORY pg-geo-backup              qlp-uksouth-psql-server: [not] :smile: backup.geoRedundantBackup",
        "FAIL: 1 mandatory violation(s)",
    ]
)


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _no_colour_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)


def test_a_report_that_is_not_on_a_terminal_is_the_text_itself(capsys: pytest.CaptureFixture[str]) -> None:
    terminal.emit_report(REPORT)
    assert capsys.readouterr().out == REPORT + "\n"


def test_force_color_styles_each_line_by_what_it_says(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    terminal.emit_report(REPORT)
    out = capsys.readouterr().out
    assert "\x1b[1;31m  MANDATORY pg-geo-backup" in out and "\x1b[1;31mFAIL: 1 mandatory" in out
    assert "[not] :smile:" in out  # the text is never read as markup or emoji codes
    assert out.count("\n") == REPORT.count("\n") + 1  # no line is wrapped


def test_no_color_wins_and_a_dumb_terminal_is_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    assert terminal.colour_wanted(Tty())
    monkeypatch.setenv("TERM", "dumb")
    assert not terminal.colour_wanted(Tty())
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert terminal.colour_wanted(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not terminal.colour_wanted(Tty())


def test_line_styles() -> None:
    assert terminal.line_style("  MANDATORY x") == "bold red"
    assert terminal.line_style("  ADVISORY x") == "yellow"
    assert terminal.line_style("PASS: 0 mandatory violation(s)") == "bold green"
    assert terminal.line_style("      + storage:StorageAccount x") == ""


def test_a_status_line_is_dim_on_a_terminal_and_plain_elsewhere() -> None:
    tty, plain = Tty(), io.StringIO()
    terminal.emit_status("drctl: planned stack dr: 76 resources (1.2 s)", tty)
    terminal.emit_status("drctl: planned stack dr: 76 resources (1.2 s)", plain)
    assert tty.getvalue() == "\x1b[2mdrctl: planned stack dr: 76 resources (1.2 s)\x1b[0m\n"
    assert plain.getvalue() == "drctl: planned stack dr: 76 resources (1.2 s)\n"


def test_a_plain_run_does_not_import_rich() -> None:
    """drctl's speed: rich is loaded only when colour is used."""
    script = (
        "import sys; from azure_dr.cli.report import terminal; terminal.emit_report('x'); print('rich' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env)
    assert run.stdout == "x\nFalse\n"
