"""The console script: a prestarted pack is adopted only when launched as it would be; the result cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from azure_dr.cli.engine import analyzer, result_cache
from azure_dr.cli.engine.programs import ROOT

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


def test_an_unchanged_project_answers_from_the_cache_and_any_change_reruns(tmp_path: Path) -> None:
    root, cache = _project_copy(tmp_path / "project"), tmp_path / "cache"
    first = _drctl(root, cache, "check", "primary")
    assert first.returncode == 0, first.stderr
    assert "stack primary: 112 resources" in first.stdout
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
