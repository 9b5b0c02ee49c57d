"""The console script: a prestarted pack is adopted only when launched as it would be; the result cache."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from azure_dr.cli.engine import analyzer, result_cache
from azure_dr.cli.engine.pack_inprocess import InProcessPack
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import StackPlan
from tests.test_analyzer import PACK as MINI_PACK
from tests.test_analyzer import dr_plan, primary_plan

PACK = ROOT / "policies"


def test_a_prestarted_pack_is_adopted_when_launched_the_same_way() -> None:
    analyzer.prestart(PACK, project="azure-dr", stack="")
    prestarted = analyzer._prestarted[-1]
    with analyzer.open_pack(PACK, project="azure-dr", stack="") as pack:
        assert pack is prestarted
        assert pack.info()[2]
    assert not analyzer._prestarted


def test_a_prestarted_pack_launched_otherwise_is_stopped_not_used() -> None:
    analyzer.prestart(PACK, project="azure-dr", stack="")
    prestarted = analyzer._prestarted[-1]
    pack = analyzer.open_pack(PACK, project="azure-dr", stack="primary")
    assert pack is not prestarted and prestarted._proc is None  # stopped
    assert not analyzer._prestarted
    analyzer.prestart(PACK, project="azure-dr")
    process = analyzer._prestarted[-1]._proc
    analyzer.discard_prestarted()
    assert process is not None and process.wait(timeout=10) is not None


ONE_SHOT = """
import subprocess, sys
spawned = []
popen_init = subprocess.Popen.__init__
def counting(self, *args, **kwargs):
    spawned.append(args[0] if args else kwargs.get("args"))
    popen_init(self, *args, **kwargs)
subprocess.Popen.__init__ = counting
from azure_dr.cli import launch
exit_ = launch._exit
def reporting(status):
    print(f"processes started: {len(spawned)}", file=sys.stderr)
    exit_(status)
launch._exit = reporting
launch.main()
"""


def test_the_console_script_checks_with_the_packs_servicer_in_its_own_process() -> None:
    """``drctl check`` inside the project (no ``--root``): the pack's rules judge the plan, and no second process
    (the pack's) is started for it."""
    run = subprocess.run(
        [sys.executable, "-c", ONE_SHOT, "check", "primary"],
        cwd=ROOT / "components",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert re.search(r"^stack primary: [0-9]+ resources, 0 mandatory", run.stdout, re.MULTILINE), run.stdout
    assert run.stdout.rstrip().endswith("PASS: 0 mandatory violation(s)")
    assert run.stderr.strip() == "processes started: 0"


def _answers(pack: analyzer.PolicyPackProcess) -> list[object]:
    with pack:
        name, version, policies, initial = pack.info()
        pack.configure({"storage-min-tls": {"min_tls": "TLS1_2"}})
        found = [pack.analyze_stack(plan) for plan in (primary_plan(), dr_plan())]
    return [name, version, policies, initial, found]


def test_the_packs_servicer_in_process_answers_as_its_process_does() -> None:
    in_process = InProcessPack(MINI_PACK, project="azure-dr", stack="primary")
    assert _answers(in_process) == _answers(analyzer.PolicyPackProcess(MINI_PACK, project="azure-dr", stack="primary"))
    assert in_process._proc is None  # no process was started


def test_a_pack_that_fails_to_load_in_process_is_reported_by_its_own_process(tmp_path: Path) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text("raise RuntimeError('pack exploded on import')\n")
    pack = InProcessPack(tmp_path, project="azure-dr")
    with pytest.raises(analyzer.PolicyPackError, match="exited with code 1") as err:
        pack.start()
    assert "pack exploded on import" in str(err.value)


def _project_copy(tmp_path: Path) -> Path:
    tmp_path.mkdir()
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.primary.yaml", "Pulumi.dr.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "policies").symlink_to(PACK)
    return tmp_path


def _drctl(root: Path, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, result_cache.ENV_VAR: str(cache)}
    command = [sys.executable, "-m", "azure_dr.cli", "--root", str(root), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)


def test_an_unchanged_project_answers_from_the_cache_and_any_change_reruns(
    tmp_path: Path, shipped: dict[str, StackPlan]
) -> None:
    root, cache = _project_copy(tmp_path / "project"), tmp_path / "cache"
    first = _drctl(root, cache, "check", "primary")
    assert first.returncode == 0, first.stderr
    managed = sum(r.custom and not r.read for r in shipped["primary"].resources)
    assert f"stack primary: {managed} resources" in first.stdout
    entries = list(cache.iterdir())
    assert len(entries) == 1
    entry = result_cache.ResultCache(entries[0])
    entry.store(result_cache.Result("from the cache\n", "", 0))  # proves the next answer is the stored one
    assert _drctl(root, cache, "check", "primary").stdout == "from the cache\n"
    stack_file = root / "Pulumi.primary.yaml"
    stack_file.write_text(
        stack_file.read_text().replace("create_as: primary", "create_as: primary\n    geo_redundant_backup: Disabled")
    )
    changed = _drctl(root, cache, "check", "primary")
    assert changed.returncode == 1 and "MANDATORY pg-geo-backup" in changed.stdout
    assert len(list(cache.iterdir())) == 2


def test_file_writing_and_uncached_commands_have_no_cache_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(result_cache.ENV_VAR, raising=False)
    assert result_cache.for_invocation(["--root", str(ROOT), "check"]) is None  # off unless asked for
    monkeypatch.setenv(result_cache.ENV_VAR, str(tmp_path))
    assert result_cache.for_invocation(["--root", str(ROOT), "check", "--sarif", "x.sarif"]) is None
    assert result_cache.for_invocation(["--root", str(ROOT), "policy-config", "primary"]) is None
    assert result_cache.for_invocation(["--root", str(ROOT), "check"]) is not None


def test_the_key_covers_the_code_and_the_shipped_pack_a_project_without_its_own_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, pack = tmp_path / "orders", tmp_path / "shipped"
    project.mkdir()
    pack.mkdir()
    (project / "Pulumi.yaml").write_text("name: orders\nruntime: python\n")
    (pack / "rule.py").write_text("LIMIT = 1\n")
    monkeypatch.setattr(result_cache, "SHIPPED_PACK", pack)
    before = result_cache.invocation_key(["check"], project)
    (pack / "rule.py").write_text("LIMIT = 2\n")
    assert result_cache.invocation_key(["check"], project) != before
    # The packages, wherever they are installed from (here the checkout's folders, behind src/azure_dr's links).
    assert {ROOT / "components", ROOT / "drctl"} <= set(result_cache._project_packages())
