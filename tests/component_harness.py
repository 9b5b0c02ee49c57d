"""Run a small Pulumi program (a function) under the offline engine's recording monitor, outside the stacks."""

from __future__ import annotations

from collections.abc import Callable

from pulumi.runtime import config as runtime_config
from pulumi.runtime import mocks, settings
from pulumi.runtime import stack as runtime_stack
from pulumi.runtime.sync_await import _sync_await

from azure_dr.cli.engine.mocks import AzureMocks, RecordingMonitor
from azure_dr.cli.engine.recording import StackPlan


def run_program(program: Callable[[], None], project: str = "consumer", stack: str = "test") -> StackPlan:
    """Everything ``program`` registered, with its options, as the engine records a stack."""
    azure = AzureMocks({})
    monitor = RecordingMonitor(azure)
    mocks.set_mocks(azure, project, stack, preview=False, monitor=monitor)
    settings.ROOT.set(None)
    runtime_config.set_all_config({}, [])
    _sync_await(runtime_stack.run_in_stack(program))
    resources = [r for r in monitor.recorded if r.type != "pulumi:pulumi:Stack"]
    return StackPlan(stack=stack, project=project, resources=resources, outputs={})


def by_name(plan: StackPlan, name: str) -> dict[str, object]:
    """The inputs of the resource registered under logical ``name``."""
    found = [r for r in plan.resources if r.name == name]
    assert len(found) == 1, f"expected one resource named {name}, found {len(found)}"
    return found[0].inputs
