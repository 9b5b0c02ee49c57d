"""drctl behaves as command-line users and CI expect: `python -m`, `--version`, found from a subdirectory, stdout
for `--sarif -`, quiet on a closed pipe, bad paths refused before work, progress only for people, plan once."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from azure_dr.cli import commands as cli
from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import StackPlan
from azure_dr.cli.report import progress
from azure_dr.cli.stackfiles.project import ProjectNotFoundError, find_root

PYTHON = sys.executable


def drctl(*args: str, cwd: Path = ROOT, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "azure_dr.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=300, **kwargs
    )


def test_python_m_drctl_and_version() -> None:
    run = drctl("--version")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"drctl {cli.version()}" and cli.version()[0].isdigit()


def test_help_works_outside_any_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0 and "usage: drctl" in capsys.readouterr().out
    assert cli.main(["plan"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"drctl: no Pulumi.yaml in {tmp_path.resolve()} or any parent directory; run drctl inside the project or "
        "pass --root DIR"
    )


def test_the_project_is_found_by_walking_up_and_root_is_honoured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert find_root(ROOT / "components") == ROOT
    assert find_root(ROOT / "policies" / "drpolicy" / "stack") == ROOT
    with pytest.raises(ProjectNotFoundError):
        find_root(tmp_path)
    monkeypatch.chdir(ROOT / "drctl")
    assert cli.main(["policy-config", "primary"]) == 0  # from a subdirectory, no --root
    assert json.loads(capsys.readouterr().out)["pg-backup-retention"] == {"min_days": 30}
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--root", str(ROOT / "tests"), "policy-config", "dr"]) == 0  # --root walks up too
    assert "dr-rpo" in json.loads(capsys.readouterr().out)


def test_a_closed_pipe_ends_quietly_from_a_subdirectory() -> None:
    """`drctl rules | head -0`, run inside components/: the reader is gone before drctl writes; no traceback."""
    proc = subprocess.Popen(
        [PYTHON, "-m", "azure_dr.cli", "rules"],
        cwd=ROOT / "components",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=300) == 0
    assert stderr == ""


def test_sarif_to_a_missing_directory_is_refused_before_the_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_planning(*_: object, **__: object) -> list[StackPlan]:
        raise AssertionError("the check ran before the --sarif path was checked")

    monkeypatch.setattr(engine, "plan_stacks", no_planning)
    assert cli.main(["--root", str(ROOT), "check", "--sarif", "nodir/x.sarif"]) == 2
    assert capsys.readouterr().err.strip() == "drctl: --sarif nodir/x.sarif: directory nodir does not exist"
    assert cli.main(["--root", str(ROOT), "check", "--json", "--sarif", "-"]) == 2
    assert "both write to stdout" in capsys.readouterr().err


def test_sarif_dash_writes_sarif_to_stdout_and_the_report_to_stderr(
    shipped: dict[str, StackPlan], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.cmd_check(ROOT, [], sarif_path="-", plans=list(shipped.values())) == 0
    out, err = capsys.readouterr()
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["tool"]["driver"]["rules"]
    assert err.strip().endswith("PASS: 0 mandatory violation(s)")
    assert not (ROOT / "-").exists()


def test_plan_check_plans_each_stack_once_and_json_is_only_json(
    shipped: dict[str, StackPlan], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[object] = []

    def planned(wanted: object = None, root: object = None, overrides: object = None) -> list[StackPlan]:
        calls.append(wanted)
        return list(shipped.values())

    monkeypatch.setattr(engine, "plan_stacks", planned)
    assert cli.main(["--root", str(ROOT), "plan", "--check", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)  # one JSON document, nothing after it
    assert calls == [None]
    assert document["check"]["passed"] is True and [s["stack"] for s in document["check"]["stacks"]] == [
        "primary",
        "dr",
    ]
    assert cli.main(["--root", str(ROOT), "plan", "--check"]) == 0
    text = capsys.readouterr().out
    assert len(calls) == 2 and "DR posture" in text and text.rstrip().endswith("PASS: 0 mandatory violation(s)")


def test_progress_only_for_a_person_at_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert progress.enabled() is False  # pytest captures stderr: not a terminal
    monkeypatch.setattr(progress, "THRESHOLD_SECONDS", 0.0)
    with progress.step("quiet step"):
        pass
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(progress, "enabled", lambda: True)
    plans = engine.plan_stacks(["primary"], ROOT)
    err = capsys.readouterr().err
    assert all(p.error is None for p in plans)
    assert re.search(r"^drctl: planned stack primary: \d+ resources \(", err, re.M) and err.rstrip().endswith(" s)")
    monkeypatch.setattr(progress, "THRESHOLD_SECONDS", 3600.0)
    with progress.step("fast step"):
        pass
    assert capsys.readouterr().err == ""


def test_stdout_writes_survive_a_reader_that_went_away() -> None:
    code = "from azure_dr.cli.report.output import emit, pipe_closed\nfor _ in range(2000):\n    emit('x' * 200)\n"
    proc = subprocess.Popen(
        [PYTHON, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ)
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read() == b""


def test_dev_prints_usage_not_its_source() -> None:
    for args, code in (([], 0), (["help"], 0), (["--help"], 0), (["-h"], 0), (["bogus"], 2)):
        run = subprocess.run([str(ROOT / "dev"), *args], capture_output=True, text=True, timeout=60)
        assert run.returncode == code, (args, run.stderr)
        usage = run.stdout if code == 0 else run.stderr.removeprefix("dev: unknown command 'bogus'\n")
        assert usage.startswith("usage: ./dev COMMAND") and "set -euo" not in usage and "#" not in usage
        for command in ("plan", "test", "drctl", "lint", "ci", "pulumi"):
            assert f"\n  {command} " in usage


def test_dev_test_ends_with_the_pytest_summary_line() -> None:
    """One -q (from ./dev, none in pyproject addopts), so pytest prints `N passed in X s` last."""
    run = subprocess.run(
        [str(ROOT / "dev"), "test", "-n", "0", "tests/test_project_files.py", "-k", "test_license"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    last = run.stdout.strip().splitlines()[-1]
    assert last.startswith("1 passed") and " in " in last and last.endswith("s")


def test_a_command_module_registers_itself_with_one_entry(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def register(sub: Any) -> None:
        parser = sub.add_parser("hello", help="a command from another module")
        parser.add_argument("name")
        parser.set_defaults(handler=lambda args: print(f"hello {args.name} in {args.root.name}") or 0)

    monkeypatch.setattr(cli, "COMMANDS", [*cli.COMMANDS, register])
    assert cli.main(["--root", str(ROOT / "tests"), "hello", "pair"]) == 0
    assert capsys.readouterr().out == f"hello pair in {ROOT.name}\n"


def test_dev_pulumi_runs_pulumi_with_uv_on_path(tmp_path: Path) -> None:
    """Pulumi.yaml says toolchain: uv, and Pulumi runs `uv` from PATH: ./dev pulumi provides it."""
    fake = tmp_path / "pulumi"
    fake.write_text('#!/bin/sh\necho "args: $*"\ncommand -v uv\n')
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    run = subprocess.run(
        [str(ROOT / "dev"), "pulumi", "up", "--stack", "primary"], capture_output=True, text=True, env=env, timeout=300
    )
    assert run.returncode == 0, run.stderr
    args, uv = run.stdout.splitlines()
    assert args == "args: up --stack primary" and Path(uv).name == "uv" and os.access(uv, os.X_OK)
