"""Each switch refuses a step that does not fit the pair's state, with one line and nothing written, and every
drctl command drctl prints as a next step is one drctl accepts."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from azure_dr.cli import commands as cli
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.lifecycle.pair import load_pair
from azure_dr.cli.stackfiles.edit import Edit, StackDocument


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    for name in ("Pulumi.yaml", "Pulumi.primary.yaml", "Pulumi.dr.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


class Session:
    """drctl run in-process on one project, keeping everything it printed."""

    def __init__(self, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.root, self.capsys = root, capsys
        self.printed: list[str] = []

    def files(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(self.root.glob("Pulumi.*.yaml"))}

    def run(self, *args: str) -> tuple[int, str, str]:
        status = cli.main(["--root", str(self.root), *args])
        out, err = self.capsys.readouterr()
        self.printed += [out, err]
        return status, out, err

    def refused(self, *args: str, expect: str) -> str:
        before = self.files()
        status, out, err = self.run(*args)
        assert status == 2, (out, err)
        line = err.strip()
        assert expect in line and "\n" not in line and "Traceback" not in line, line
        assert out == "" and self.files() == before  # nothing planned, nothing written
        return line


def test_failback_on_a_pair_that_never_failed_over_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = Session(project, capsys)
    line = session.refused("failback", expect="the pair has not failed over: primary (which owns the global layer)")
    assert "`drctl promote --planned`" in line


def test_release_during_the_disaster_is_refused_until_the_rebuild(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = Session(project, capsys)
    assert session.run("promote", "--forced")[0] == 0
    assert session.run("settle")[0] == 0
    # The lost region's server still holds its backup instance and its up would deploy into the failed region.
    session.refused("release", "primary", expect="primary's region is still lost")
    assert session.run("rebuild", "primary")[0] == 0
    assert session.run("settle")[0] == 0
    # The new active's vault protects nothing: the retained instance holds the only long-term backups.
    doc = StackDocument(project, "dr")
    doc.apply(Edit("dr", ("backup", "enabled"), False))
    doc.write()
    session.refused("release", "primary", expect="hold the only long-term backups: dr's vault does not protect")
    doc = StackDocument(project, "dr")
    doc.apply(Edit("dr", ("backup", "enabled"), True))
    doc.write()
    status, out, _ = session.run("release", "primary")
    assert status == 0 and "wrote Pulumi.primary.yaml" in out


def test_a_rebuild_of_a_live_replica_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """After a switchover the old primary is a healthy replica (its replica_of still names its creation facts)."""
    session = Session(project, capsys)
    assert session.run("promote", "--planned")[0] == 0
    assert session.run("settle")[0] == 0
    pair = load_pair(project)
    assert (pair.active.name, pair.members["primary"].config.postgres.state) == ("dr", "replica")
    session.refused("rebuild", "primary", expect="is a live replica (postgres.state: replica)")
    session.refused("rebuild", "dr", expect="dr is the active stack")


def test_every_drctl_command_drctl_prints_is_one_it_accepts(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session = Session(project, capsys)
    for command in (
        ["status"],
        ["failback"],
        ["promote", "--forced"],
        ["status"],
        ["rebuild", "primary"],
        ["release", "primary"],
        ["settle"],
        ["status"],
        ["release", "primary"],
        ["rebuild", "primary"],
        ["settle"],
        ["status"],
        ["failback"],
        ["settle"],
        ["status"],
        ["diff", "primary"],
    ):
        session.run(*command)
    text = "\n".join(session.printed)
    quoted = re.findall(r"`(drctl [^`]+)`", text)
    titles = re.findall(r"^(drctl [a-z][^:\n]*)$", text, re.M)  # each runbook's title: the command that printed it
    steps = re.findall(r"\] (drctl [a-z][^\n]*)$", text, re.M)  # runbook steps that are drctl commands
    found = sorted(set(quoted + titles + steps))
    assert {"drctl failback", "drctl settle", "drctl rebuild primary", "drctl promote --forced"} <= set(found), found
    parser = cli._parser()
    for command in found:
        parser.parse_args(["--root", str(project), *shlex.split(command)[1:]])  # SystemExit if drctl refuses it
