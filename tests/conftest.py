"""Shared fixtures: the shipped stacks planned once per session, and a planner for altered config."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.recording import StackPlan

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
