"""A switch never leaves the stack files half-written unnoticed: the real ``drctl`` runs in a process of its own on a
copy of the project (forked from the test process, ``tests/forked.py``; the uninterrupted switch the others are
compared with runs in a fresh interpreter) and is killed with SIGKILL at each write boundary (``DRCTL_FAULT``);
every file is then its old or its new version, the next command reports the interruption with how to finish or
undo it, and ``drctl recover`` does either. Two commands at once: one runs, one is refused; a file edited while a
command runs is not overwritten; a read-only file stops the switch before anything is written."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from azure_dr.cli import commands as cli
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.stackfiles.transaction import JOURNAL_FILE, LOCK_FILE, TEMP_SUFFIX

from . import forked

FILES = ("Pulumi.dr.yaml", "Pulumi.primary.yaml")  # the order a switch writes them in
POINTS = [
    "planned",
    "journal",
    "temp:Pulumi.dr.yaml",
    "renamed:Pulumi.dr.yaml",
    "temp:Pulumi.primary.yaml",
    "renamed:Pulumi.primary.yaml",
    "written",
]


def project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in ("Pulumi.yaml", "__main__.py", *FILES):
        shutil.copy(ROOT / name, root / name)
    (root / "policies").symlink_to(ROOT / "policies")
    return root


def drctl_command(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "azure_dr.cli", "--root", str(root), *args]


def drctl(root: Path, *args: str, fault: str | None = None) -> subprocess.CompletedProcess[str]:
    """``drctl`` in a forked process of its own (``DRCTL_FAULT`` set to ``fault``, no result cache)."""
    return forked.run(["--root", str(root), *args], {"DRCTL_FAULT": fault, "DRCTL_CACHE": None})


def fresh_drctl(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``drctl`` as a user runs it: a new interpreter (``python -m azure_dr.cli``)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DRCTL_FAULT", "DRCTL_CACHE")}
    return subprocess.run(drctl_command(root, *args), capture_output=True, text=True, env=env, timeout=600)


def contents(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in FILES}


@pytest.fixture(scope="module")
def promoted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Both files as an uninterrupted `drctl promote --forced` writes them, in a fresh interpreter."""
    root = project(tmp_path_factory.mktemp("promoted"))
    run = fresh_drctl(root, "promote", "--forced")
    assert run.returncode == 0, run.stderr
    # The same switch planned once here (written nowhere): the forked commands find its plans in the memo.
    assert cli.main(["--root", str(project(tmp_path_factory.mktemp("warm"))), "promote", "--forced", "--dry-run"]) == 0
    return contents(root)


@pytest.mark.parametrize("point", POINTS)
def test_a_switch_killed_at_a_write_boundary_is_reported_and_recovered(
    tmp_path: Path, point: str, promoted: dict[str, bytes]
) -> None:
    root = project(tmp_path / "project")
    old = contents(root)
    killed = drctl(root, "promote", "--forced", fault=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    now = contents(root)
    for name in FILES:  # never a torn file: the old bytes or the new ones
        assert now[name] in (old[name], promoted[name]), name
    if point == "planned":  # killed before its journal: nothing was written, nothing to report
        assert now == old and not (root / JOURNAL_FILE).exists()
        status = drctl(root, "status")
        assert status.returncode == 0 and "pair: built" in status.stdout
        return
    assert (root / JOURNAL_FILE).exists()
    status = drctl(root, "status")
    assert status.returncode == 1, status.stderr
    [line] = [x for x in status.stdout.splitlines() if x.startswith("interrupted:")]
    assert "promote --forced" in line
    assert "`drctl recover finish`" in line and "`drctl recover rollback`" in line
    half = [n for n in FILES if now[n] == promoted[n]]
    if half and len(half) < len(FILES):
        assert f"wrote {half[0]} but not" in line
    check = drctl(root, "check")
    assert check.returncode == 1 and "half-written" in check.stderr
    assert len(check.stderr.strip().splitlines()) == 1 and check.stdout == "", (check.stdout, check.stderr)
    again = drctl(root, "promote", "--planned")
    assert again.returncode == 2 and "half-written" in again.stderr and "Traceback" not in again.stderr
    assert contents(root) == now  # the refused switch wrote nothing
    how = "finish" if POINTS.index(point) % 2 else "rollback"
    recovered = drctl(root, "recover", how)
    assert recovered.returncode == 0, recovered.stderr
    assert contents(root) == (promoted if how == "finish" else old)
    assert not (root / JOURNAL_FILE).exists() and not list(root.glob(f".*{TEMP_SUFFIX}"))
    status = drctl(root, "status")
    assert status.returncode == 0 and "interrupted" not in status.stdout
    assert ("pair: promoting" if how == "finish" else "pair: built") in status.stdout


def start_paused(root: Path, resume: Path, *args: str) -> forked.Forked:
    """A command that stops just before it writes (after planning), holding the project's lock."""
    env = {"DRCTL_FAULT": f"planned=pause:{resume}", "DRCTL_CACHE": None}
    process = forked.start(["--root", str(root), *args], env)
    reached = resume.with_name(resume.name + ".reached")
    deadline = time.monotonic() + 300
    while not reached.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the command never reached its write"
        time.sleep(0.05)
    return process


def test_two_switches_at_once_one_runs_and_one_is_refused(tmp_path: Path, promoted: dict[str, bytes]) -> None:
    root = project(tmp_path / "project")
    old = contents(root)
    resume = tmp_path / "resume"
    first = start_paused(root, resume, "promote", "--forced")
    second = drctl(root, "promote", "--planned")
    assert second.returncode == 2
    [line] = second.stderr.strip().splitlines()
    assert f"locked by pid {first.pid}" in line and "promote --forced" in line
    status = drctl(root, "status")  # a reader is not refused, and sees nothing half-written
    assert status.returncode == 0 and "pair: built" in status.stdout
    assert contents(root) == old
    resume.touch()
    _out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert contents(root) == promoted
    assert not (root / LOCK_FILE).exists()


def test_a_lock_left_by_a_killed_command_does_not_block_the_next(tmp_path: Path) -> None:
    root = project(tmp_path / "project")
    resume = tmp_path / "resume"
    first = start_paused(root, resume, "promote", "--forced")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=60)
    assert str(first.pid) in (root / LOCK_FILE).read_text()  # its lock file is still there
    after = drctl(root, "promote", "--forced", "--dry-run")
    assert after.returncode == 0, after.stderr
    assert "dry run: no stack file written" in after.stdout


def test_a_file_edited_while_a_switch_runs_is_not_overwritten(tmp_path: Path) -> None:
    root = project(tmp_path / "project")
    old = contents(root)
    resume = tmp_path / "resume"
    switch = start_paused(root, resume, "promote", "--forced")
    edited = old["Pulumi.primary.yaml"] + b"# a note added by hand while the switch ran\n"
    (root / "Pulumi.primary.yaml").write_bytes(edited)
    resume.touch()
    _out, err = switch.communicate(timeout=300)
    assert switch.returncode == 2
    [line] = err.strip().splitlines()
    assert "Pulumi.primary.yaml changed while drctl was working" in line and "nothing written" in line
    assert contents(root) == {"Pulumi.dr.yaml": old["Pulumi.dr.yaml"], "Pulumi.primary.yaml": edited}
    assert not (root / JOURNAL_FILE).exists()


def test_an_unwritable_stack_file_stops_the_switch_before_anything(tmp_path: Path) -> None:
    root = project(tmp_path / "project")
    old = contents(root)
    (root / "Pulumi.primary.yaml").chmod(0o444)
    run = drctl(root, "promote", "--forced")
    assert run.returncode == 2
    assert (
        run.stderr.strip()
        == "drctl promote: Pulumi.primary.yaml is not writable; nothing written (make it writable and run again)"
    )
    assert "safe" not in run.stdout  # refused before the replay, not after it said "safe"
    assert contents(root) == old and not (root / JOURNAL_FILE).exists()
    assert not list(root.glob(f".*{TEMP_SUFFIX}"))


def test_a_write_that_fails_midway_is_one_line_and_recoverable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A full disk on the second file: the first is already new, the journal says so, recover finishes it."""
    import errno

    from azure_dr.cli.stackfiles import transaction
    from azure_dr.cli.stackfiles.edit import Edit, edited

    root = project(tmp_path / "project")
    old = contents(root)
    docs = edited(root, ["dr", "primary"], [Edit("dr", ("role",), "active"), Edit("primary", ("role",), "standby")])
    new = {d.path.name: d.data() for d in docs.values()}
    real = transaction._atomic_write

    def full_disk(path: Path, data: bytes, mode: int | None, point: str | None = None) -> None:
        if path.name == "Pulumi.primary.yaml":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data, mode, point)

    monkeypatch.setattr(transaction, "_atomic_write", full_disk)
    with pytest.raises(transaction.TransactionError) as caught:
        transaction.write_files(root, list(docs.values()), "drctl promote --forced")
    message = str(caught.value)
    assert message.startswith("writing Pulumi.primary.yaml failed (No space left on device); finish it with")
    assert "\n" not in message
    half = {"Pulumi.dr.yaml": new["Pulumi.dr.yaml"], "Pulumi.primary.yaml": old["Pulumi.primary.yaml"]}
    assert contents(root) == half
    monkeypatch.setattr(transaction, "_atomic_write", real)
    from azure_dr.cli import commands as cli

    cli.main(["--root", str(root), "plan", "dr"])  # planned, but not silently
    assert "drctl plan: warning: the stack files are half-written" in capsys.readouterr().err
    assert transaction.recover(root, "finish", "drctl recover finish")[-1] == "finished `drctl promote --forced`"
    assert contents(root) == new and not (root / JOURNAL_FILE).exists()
