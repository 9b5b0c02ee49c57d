"""The recorded plans (``tests/recorded_plans.py``) are what the library plans now, and only its own are used."""

from __future__ import annotations

import dataclasses
import pickle
import random
from pathlib import Path
from typing import Any

import pytest

from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import StackPlan
from azure_dr.cli.stackfiles.files import load_stack

from . import recorded_plans
from .recorded_plans import Inputs, Store

#: Recorded states re-planned live in each session, besides the shipped pair (a different sample each time).
SAMPLE = 4


def _live() -> Any:
    return getattr(engine.run_stack, "original", engine.run_stack)


def replan(inputs: Inputs, where: Path) -> StackPlan:
    """A recorded state planned live from what it was recorded with, the shipped program beside its project file."""
    where.mkdir()
    (where / "__main__.py").write_text(recorded_plans.SHIPPED_PROGRAM)
    (where / "Pulumi.yaml").write_text(inputs.project_file)
    stack = dataclasses.replace(inputs.stack, path=where / inputs.stack.path.name)
    plan: StackPlan = _live()(stack, inputs.peer_outputs, where, inputs.overrides, inputs.stock_sdk, inputs.unreachable)
    return plan


def test_the_shipped_pair_as_answered_is_the_pair_planned_live(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever answered it (the store, the session's memo or a run), the shipped pair is what a run gives now."""
    answered = engine.plan_stacks(None, ROOT)
    monkeypatch.setattr(engine, "run_stack", _live())
    live = engine.plan_stacks(None, ROOT)
    assert [p.stack for p in answered] == [p.stack for p in live]
    for mine, theirs in zip(answered, live, strict=True):
        assert mine == theirs, mine.stack
    assert sum(len(p.resources) for p in live) > 150


def test_recorded_states_are_what_the_library_plans_now(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """A sample of the store's entries re-planned live: equal field by field (when the store is this library's;
    a stale store is not read at all: the next test)."""
    store = Store.read()
    if store is None:
        assert request.config.getoption("record_plans"), f"{recorded_plans.STORE} is missing: `{recorded_plans.RECORD}`"
        return
    if store.fingerprint != recorded_plans.fingerprint():
        return  # planned live throughout this session (its summary says the store is stale)
    assert len(store.entries) > 200
    seed = random.randrange(2**32)
    keys = random.Random(seed).sample(sorted(store.entries), SAMPLE)
    for n, key in enumerate(keys):
        inputs, recorded = (pickle.loads(part) for part in store.entries[key])
        assert replan(inputs, tmp_path / str(n)) == recorded, f"entry {key} (sample seed {seed})"


def test_only_a_store_recorded_by_this_library_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = StackPlan(stack="s", project="p", resources=[], outputs={"x": 1})
    stack = load_stack(ROOT, "primary")
    inputs = pickle.dumps(Inputs(stack, None, "name: azure-dr\n", None, False, ()))
    path = tmp_path / "store.xz"
    monkeypatch.setattr(recorded_plans, "STORE", path)
    Store("another library", {"k": (inputs, pickle.dumps(plan))}).write(path)
    (tmp_path / "stale").mkdir()
    assert recorded_plans.seed(tmp_path / "stale").startswith("recorded plans: stale")
    assert list((tmp_path / "stale").iterdir()) == []
    Store(recorded_plans.fingerprint(), {"k": (inputs, pickle.dumps(plan))}).write(path)
    (tmp_path / "current").mkdir()
    assert "1 states read" in recorded_plans.seed(tmp_path / "current")
    assert pickle.loads((tmp_path / "current" / "k.pickle").read_bytes()) == plan


def test_the_fingerprint_covers_every_file_of_the_library(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    files = list(recorded_plans._library_files())
    names = {name for name, _ in files}
    assert {"components/stack/region.py", "cli/engine/programs.py", "cli/engine/mocks.py"} <= names
    assert not any(".pyc" in name or "__pycache__" in name for name in names)
    before = recorded_plans.fingerprint()
    edited = tmp_path / "mocks.py"
    edited.write_bytes(dict(files)["cli/engine/mocks.py"].read_bytes() + b"\n# an edit\n")
    monkeypatch.setattr(
        recorded_plans, "_library_files", lambda: [(n, edited if n == "cli/engine/mocks.py" else p) for n, p in files]
    )
    assert recorded_plans.fingerprint() != before


def test_a_program_of_a_tests_own_is_never_recorded(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text(recorded_plans.SHIPPED_PROGRAM)
    assert recorded_plans.recordable(tmp_path, "name: azure-dr\n")
    assert not recorded_plans.recordable(tmp_path, "name: azure-dr\nmain: src/\n")
    (tmp_path / "extra.py").write_text("")
    assert not recorded_plans.recordable(tmp_path, "name: azure-dr\n")
    (tmp_path / "extra.py").unlink()
    (tmp_path / "__main__.py").write_text(recorded_plans.SHIPPED_PROGRAM + "\nprint('spy')\n")
    assert not recorded_plans.recordable(tmp_path, "name: azure-dr\n")
