"""Shared fixtures: the shipped stacks planned once per session, and a planner for altered config.

Before any test module is imported, the SDKs are set to load as the engine loads them (``sdk.imports``: only the
modules a name needs, class annotations kept as text), each distinct planned state is planned at most once per
session, and not at all when the recorded plans were recorded by this library (``tests/shared_runs.py``,
``tests/recorded_plans.py``; ``--record-plans`` refreshes them), one pack serves every check of the same pack,
and the objects the imports built are left out of the garbage collector's scans. None of these changes a result
(``tests/test_perf_engine.py``, ``tests/test_recorded_plans.py``).
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from azure_dr.cli import sdk
from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.recording import StackPlan
from azure_dr.cli.sdk.imports import load_sdk_modules_on_demand

from . import recorded_plans, shared_runs

#: The session's line about the recorded plans (tests/recorded_plans.py).
SUMMARY = pytest.StashKey[str]()

if sdk.patches_apply():
    load_sdk_modules_on_demand()
shared_runs.memoize_plans()
shared_runs.share_packs()


def pytest_configure(config: pytest.Config) -> None:
    """Under xdist, each test file runs in one worker (``--dist loadfile``): a file's tests replay the same switches
    and check the same states, so one worker plans each of them once (``tests/shared_runs.py``), and a file's
    session fixtures (the stock-SDK run of ``test_perf_engine``) run once. Measured on 2 cores: 102 s against 135 s
    with ``load``. (``--dist loadgroup`` would do this per marked test, but pytest-xdist 3.8 under pytest 9.2 spreads
    a group's tests over the workers anyway.)"""
    if config.getoption("dist", "no") == "load":
        config.option.dist = "loadfile"
    if not hasattr(config, "workerinput"):  # the controller (or a session without workers)
        directory = tempfile.mkdtemp(prefix="azure-dr-plans-")
        os.environ[shared_runs.PLANS_ENV] = directory  # the workers, started after this, inherit it
        config.add_cleanup(lambda: shutil.rmtree(directory, ignore_errors=True))
        if not config.getoption("record_plans"):  # recording plans every state live
            config.stash[SUMMARY] = recorded_plans.seed(Path(directory))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-plans",
        action="store_true",
        help="plan every state live and, if every test passes, record the shipped program's states in "
        "tests/data/recorded-plans.xz (tests/recorded_plans.py)",
    )


def whole_suite(config: pytest.Config) -> bool:
    """Whether this session collected every test (no paths, -k, -m, --deselect or --lf narrowing it)."""
    narrowed = ("keyword", "markexpr", "deselect", "lf")
    return config.args_source == pytest.Config.ArgsSource.TESTPATHS and not any(
        config.getoption(name, None) for name in narrowed
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if hasattr(config, "workerinput") or not config.getoption("record_plans"):
        return
    if exitstatus == 0 and whole_suite(config):
        config.stash[SUMMARY] = recorded_plans.record(Path(os.environ[shared_runs.PLANS_ENV]))
    else:
        config.stash[SUMMARY] = "recorded plans: not written (a failed or partial session records nothing)"


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything imported by now lives for the whole session: keep it out of every collection."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


PlanFn = Callable[..., dict[str, StackPlan]]


def plan(
    overrides: Mapping[str, Mapping[str, str]] | None = None, stacks: list[str] | None = None
) -> dict[str, StackPlan]:
    """Plan the shipped stacks (or ``stacks``) with per-stack config values replaced."""
    return {p.stack: p for p in engine.plan_stacks(stacks, engine.ROOT, overrides)}


def plan_one(
    stack: str,
    overrides: Mapping[str, str] | None = None,
    peer_outputs: Mapping[str, Mapping[str, object]] | None = None,
) -> StackPlan:
    """Plan one stack against given peer outputs (the peer's current state), as after a config switch."""
    return engine.run_stack(engine.load_stack(engine.ROOT, stack), peer_outputs or {}, engine.ROOT, overrides)


@pytest.fixture(scope="session")
def shipped() -> dict[str, StackPlan]:
    plans = plan()
    for p in plans.values():
        assert p.error is None, p.error
    return plans


@pytest.fixture(scope="session")
def primary(shipped: dict[str, StackPlan]) -> StackPlan:
    return shipped["primary"]


@pytest.fixture(scope="session")
def dr(shipped: dict[str, StackPlan]) -> StackPlan:
    return shipped["dr"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    counts = shared_runs.stats()
    if counts["runs"]:
        terminalreporter.write_line(f"plans: {counts['runs']} run, {counts['hits']} answered from the memo")
    line = terminalreporter.config.stash.get(SUMMARY, "")
    if line:
        terminalreporter.write_line(line)
