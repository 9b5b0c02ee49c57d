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
    except ConfigError as exc:
        error = str(exc)
    root_urn = next((r.urn for r in monitor.recorded if r.type == "pulumi:pulumi:Stack"), None)
    outputs = monitor.outputs_by_urn.get(root_urn, {}) if root_urn else {}
    resources = [r for r in monitor.recorded if r.type != "pulumi:pulumi:Stack"]
    return StackPlan(stack=stack.name, project=project, resources=resources, outputs=outputs, error=error)


def peer_of(stack: StackFile, project: str) -> str | None:
    """The stack name this stack reads through its StackReference, if any."""
    peer = stack.value(f"{project}:peer_stack")
    return peer.rsplit("/", 1)[-1] if peer else None


def plan_order(root: Path, wanted: Sequence[str] | None = None) -> list[str]:
    """Stacks to plan, each after the peer it reads (a peer is planned even if not asked for)."""
    project = project_name(root)
    order: list[str] = []

    def visit(name: str, seen: tuple[str, ...]) -> None:
        if name in order:
            return
        if name in seen:
            raise ValueError(f"stack peers form a cycle: {' -> '.join((*seen, name))}")
        peer = peer_of(load_stack(root, name), project)
        if peer is not None and peer != name and (root / f"Pulumi.{peer}.yaml").exists():
            visit(peer, (*seen, name))
        order.append(name)

    for name in wanted or stack_names(root):
        visit(name, ())
    return order


def plan_stacks(
    wanted: Sequence[str] | None = None,
    root: Path = ROOT,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
) -> list[StackPlan]:
    """Plan ``wanted`` (default: every stack) in dependency order; a peer planned only as a dependency is
    returned too, first. ``overrides`` replaces config values per stack (tests, ``drctl promote``)."""
    plans: dict[str, StackPlan] = {}
    for name in plan_order(root, wanted):
        outputs = {n: p.outputs for n, p in plans.items()}
        plans[name] = run_stack(load_stack(root, name), outputs, root, (overrides or {}).get(name))
    return list(plans.values())
