"""The offline engine's program half: run the real program under Pulumi's mock runtime, one stack at a time.

Config comes from ``Pulumi.<stack>.yaml``; a StackReference to the peer answers with the peer's exports from
its own offline run, so stacks are planned in dependency order (``dr`` after ``primary``).
"""

from __future__ import annotations

import runpy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pulumi.runtime import config as runtime_config
from pulumi.runtime import mocks, settings
from pulumi.runtime import stack as runtime_stack
from pulumi.runtime.sync_await import _sync_await

from components.config import ConfigError
from components.rules import InvalidArgs
from drctl.mocks import AzureMocks, RecordingMonitor
from drctl.recording import StackPlan
from drctl.stackfiles import StackFile, load_stack, project_name, stack_names

ORGANIZATION = "organization"
ROOT = Path(__file__).resolve().parent.parent


def _configure_runtime(monitor: RecordingMonitor, project: str, stack: str) -> None:
    features = set(monitor.GetDeploymentInfo(None).supportedFeatures)  # type: ignore[no-untyped-call]
    settings.configure(
        mocks.MockSettings(  # type: ignore[no-untyped-call]
            monitor=monitor,
            monitor_features=features,
            engine=mocks.MockEngine(None),
            project=project,
            stack=stack,
            dry_run=False,
            organization=ORGANIZATION,
            callbacks=None,
        )
    )
    settings.ROOT.set(None)


def run_stack(
    stack: StackFile,
    peer_outputs: Mapping[str, Mapping[str, Any]] | None = None,
    root: Path = ROOT,
    config_overrides: Mapping[str, str] | None = None,
) -> StackPlan:
    """Run ``__main__.py`` for one stack and return what it registered and exported."""
    project = project_name(root)
    monitor = RecordingMonitor(AzureMocks(peer_outputs or {}))
    _configure_runtime(monitor, project, stack.name)
    runtime_config.set_all_config({**stack.config, **(config_overrides or {})}, list(stack.secret_keys))
    program = str(root / "__main__.py")

    def run_program() -> None:
        runpy.run_path(program, run_name="__main__")

    error: str | None = None
    try:
        _sync_await(runtime_stack.run_in_stack(run_program))
    except (ConfigError, InvalidArgs) as exc:
        error = str(exc)
    root_urn = next((r.urn for r in monitor.recorded if r.type == "pulumi:pulumi:Stack"), None)
    outputs = monitor.outputs_by_urn.get(root_urn, {}) if root_urn else {}
    resources = [r for r in monitor.recorded if r.type != "pulumi:pulumi:Stack"]
    return StackPlan(
        stack=stack.name, project=project, resources=resources, outputs=outputs, error=error, notes=stack.notes
    )


def peer_of(stack: StackFile, project: str, overrides: Mapping[str, str] | None = None) -> str | None:
    """The stack name this stack reads through its StackReference, if any."""
    key = f"{project}:peer_stack"
    peer = (overrides or {}).get(key, stack.value(key))
    return peer.rsplit("/", 1)[-1] if peer else None


def plan_order(
    root: Path, wanted: Sequence[str] | None = None, overrides: Mapping[str, Mapping[str, str]] | None = None
) -> list[str]:
    """Stacks to plan, each after the peer it reads (a peer is planned even if not asked for).

    After a promotion the peers read each other (dr reads primary, primary reads dr); the cycle is broken where
    it closes and ``plan_stacks`` plans that stack a second time, against its peer's outputs.
    """
    project = project_name(root)
    order: list[str] = []

    def visit(name: str, seen: tuple[str, ...]) -> None:
        if name in order or name in seen:
            return
        peer = peer_of(load_stack(root, name), project, (overrides or {}).get(name))
        if peer is not None and (root / f"Pulumi.{peer}.yaml").exists():
            visit(peer, (*seen, name))
        order.append(name)

    for name in wanted or stack_names(root):
        visit(name, ())
    return order


def _missing_peer(root: Path, stack: StackFile, project: str, overrides: Mapping[str, str] | None) -> str | None:
    peer = peer_of(stack, project, overrides)
    raw = (overrides or {}).get(f"{project}:peer_stack", stack.value(f"{project}:peer_stack")) or ""
    if peer is None or (raw.count("/") == 2 and raw.split("/")[1] != project):
        return None  # no peer, or a stack of another project: not ours to find
    if peer == stack.name:
        return f"invalid stack config: {project}:peer_stack: {peer!r} is this stack; expected the peer stack's name"
    if not (root / f"Pulumi.{peer}.yaml").exists():
        return (
            f"invalid stack config: {project}:peer_stack: {peer!r} is not a stack of this project (no "
            f"Pulumi.{peer}.yaml); stacks: {', '.join(stack_names(root))}"
        )
    return None


def plan_stacks(
    wanted: Sequence[str] | None = None,
    root: Path = ROOT,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
) -> list[StackPlan]:
    """Plan ``wanted`` (default: every stack) in dependency order; a peer planned only as a dependency is
    returned too, first. ``overrides`` replaces config values per stack (tests, a promotion preview)."""
    overrides = overrides or {}
    project = project_name(root)
    order = plan_order(root, wanted, overrides)
    plans: dict[str, StackPlan] = {}

    def plan(name: str) -> StackPlan:
        stack = load_stack(root, name)
        missing = _missing_peer(root, stack, project, overrides.get(name))
        if missing is not None:
            return StackPlan(stack=name, project=project, resources=[], outputs={}, error=missing)
        outputs = {n: p.outputs for n, p in plans.items()}
        return run_stack(stack, outputs, root, overrides.get(name))

    for name in order:
        plans[name] = plan(name)
    for index, name in enumerate(order):  # second pass where a peer was planned after its reader
        peer = peer_of(load_stack(root, name), project, overrides.get(name))
        if peer in order and order.index(peer) > index:
            plans[name] = plan(name)
    return [plans[name] for name in order]
