"""The offline engine's program half: run the real program under Pulumi's mock runtime, one stack at a time.

Config comes from ``Pulumi.<stack>.yaml``; a StackReference to the peer answers with the peer's exports from
its own offline run, so stacks are planned in dependency order (``dr`` after ``primary``).
"""

from __future__ import annotations

import contextlib
import runpy
import sys
import traceback
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from pulumi.runtime import config as runtime_config
from pulumi.runtime import mocks, settings
from pulumi.runtime import stack as runtime_stack
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from azure_dr.components.rules import InvalidArgs
from azure_dr.components.stack.config import ConfigError, parse_config

from ..report import progress
from ..sdk import imports as sdk_imports
from ..sdk import patches_apply
from ..sdk.aliases import without_sdk_version_aliases
from ..sdk.inline_calls import inline_calls
from ..sdk.output_properties import lazy_output_properties
from ..sdk.runtime_wait import linear_output_wait
from ..sdk.stack_traces import without_stack_traces
from ..stackfiles.files import (
    StackFile,
    error_line,
    is_stack_name,
    load_stack,
    program_path,
    project_name,
    stack_names,
)
from ..stackfiles.yamlfile import YamlFileError
from .mocks import AzureMocks, RecordingMonitor
from .recording import StackPlan

ORGANIZATION = "organization"
ROOT = Path(__file__).resolve().parents[2]


class ProgramError(RuntimeError):
    """The program itself failed (an import, a bug): not a config mistake. One line; ``drctl`` exits 2."""


def _program_frame(exc: BaseException, directory: Path) -> str:
    """``file:line`` of the innermost frame of the traceback inside the program's directory (not its packages)."""
    found = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path.is_relative_to(directory) and "site-packages" not in path.parts:
            found = f"{path.relative_to(directory)}:{frame.lineno}"
    return found


def program_failure(stack: str, exc: BaseException, directory: Path) -> ProgramError:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    where = _program_frame(exc, directory)
    return ProgramError(
        f"stack {stack}: the program failed: {type(exc).__name__}"
        + (f": {text}" if text else "")
        + (f" ({where})" if where else "")
    )


@contextlib.contextmanager
def program_directory(directory: Path) -> Iterator[None]:
    """The program's directory first on ``sys.path`` while it runs, as the Python language host runs it
    (``runpy.run_path`` of the program directory, which puts it there: Python docs, ``runpy.run_path``), so a
    module beside ``__main__.py`` imports. Modules loaded from it are dropped afterwards: each stack runs in a
    fresh process under the Pulumi CLI, so one stack's module state never reaches the next."""
    before = set(sys.modules)
    sys.path.insert(0, str(directory))
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(str(directory))
        for name in set(sys.modules) - before:
            top = name.split(".", 1)[0]
            if top == "azure_dr" or not ((directory / top).is_dir() or (directory / f"{top}.py").is_file()):
                continue
            origin = getattr(sys.modules[name], "__file__", None) or ""
            if origin and Path(origin).resolve().is_relative_to(directory.resolve()):
                del sys.modules[name]


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
    stock_sdk: bool = False,
    unreachable: Collection[str] = (),
) -> StackPlan:
    """Run ``__main__.py`` for one stack and return what it registered and exported.

    Unless ``stock_sdk`` (or the installed ``pulumi`` is outside ``sdk.TESTED_PULUMI``), the SDK modules load by
    name with their annotations kept as text, the SDKs' API-version aliases and registration stack traces are left
    out, output properties get their ``Output`` on first use, the program's end waits in linear time and the mock
    monitor is called on the event loop's thread (``sdk.imports``, ``sdk.class_bodies``, ``sdk.aliases``,
    ``sdk.stack_traces``, ``sdk.output_properties``, ``sdk.runtime_wait``, ``sdk.inline_calls`` say why); the plan
    is the same. ``unreachable`` regions are down: every invoke naming
    them fails, and the plan then carries that one-line error.
    """
    project = project_name(root)
    monitor = RecordingMonitor(AzureMocks(peer_outputs or {}, unreachable))
    _configure_runtime(monitor, project, stack.name)
    runtime_config.set_all_config({**stack.config, **(config_overrides or {})}, list(stack.secret_keys))
    program = program_path(root)
    stock_sdk = stock_sdk or not patches_apply()
    if not stock_sdk:
        sdk_imports.load_sdk_modules_on_demand()

    def run_program() -> None:
        runpy.run_path(str(program), run_name="__main__")

    error: str | None = None
    try:
        with (
            program_directory(program.parent),
            nullcontext() if stock_sdk else without_sdk_version_aliases(),
            nullcontext() if stock_sdk else without_stack_traces(),
            nullcontext() if stock_sdk else lazy_output_properties(),
            linear_output_wait(stock_sdk),
            inline_calls(_ensure_event_loop(), stock_sdk),  # type: ignore[no-untyped-call]
        ):
            _sync_await(runtime_stack.run_in_stack(run_program))
    except (ConfigError, InvalidArgs) as exc:
        error = located(stack, str(exc), config_overrides)
    except (Exception, SystemExit) as exc:  # the program's own failure: one line, never a traceback
        raise program_failure(stack.name, exc, program.parent) from None
    if error is None and monitor.mocks_.failed_invokes:
        # The real invoke would fail the deployment: the first one is the plan's error.
        error = f"{stack.path.name}: {monitor.mocks_.failed_invokes[0]}"
    root_urn = next((r.urn for r in monitor.recorded if r.type == "pulumi:pulumi:Stack"), None)
    outputs = monitor.outputs_by_urn.get(root_urn, {}) if root_urn else {}
    resources = [r for r in monitor.recorded if r.type != "pulumi:pulumi:Stack"]
    return StackPlan(
        stack=stack.name, project=project, resources=resources, outputs=outputs, error=error, notes=stack.notes
    )


def located(stack: StackFile, message: str, overrides: Mapping[str, str] | None = None) -> str:
    """``message`` prefixed with ``Pulumi.<stack>.yaml:<line>:``, the line of the key it names, so an editor or
    SARIF viewer can jump there (just the file when the value came from ``overrides``, not from the file)."""
    if stack.path.name and message.startswith(f"{stack.path.name}:"):
        return message
    if overrides:
        return f"{stack.path.name}: {message}"
    return f"{stack.path.name}:{error_line(stack, message)}: {message}"


def peer_of(stack: StackFile, project: str, overrides: Mapping[str, str] | None = None) -> str | None:
    """The stack name this stack reads through its StackReference, if any (None for a value that is not a stack
    name at all: config validation refuses it with one line, and no file name is built from it)."""
    key = f"{project}:peer_stack"
    peer = (overrides or {}).get(key, stack.value(key))
    return peer.rsplit("/", 1)[-1] if peer and is_stack_name(peer) else None


def _valid(stack: StackFile, overrides: Mapping[str, str] | None) -> bool:
    """Whether the stack's own config validates: a stack that will be refused anyway needs no peer planned."""
    prefix = f"{stack.project}:"
    values = {**stack.config, **(overrides or {})}
    try:
        parse_config({k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)}, stack.project)
    except ConfigError:
        return False
    return True


def _try_load(root: Path, name: str) -> StackFile | YamlFileError:
    """A stack file, or the one-line error that says why it cannot be read (the stack is then not planned)."""
    try:
        return load_stack(root, name)
    except YamlFileError as exc:
        return exc


def plan_order(
    root: Path,
    wanted: Sequence[str] | None = None,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
    *,
    owners_first: bool = False,
) -> list[str]:
    """Stacks to plan, each after the peer it reads (a peer is planned even if not asked for).

    The peers of a pair read each other (dr reads primary for its server and zones, primary reads dr for its
    network); the cycle is broken where it closes and ``plan_stacks`` plans that stack a second time, against
    its peer's outputs. With ``owners_first`` the global owner is visited first, so the stack planned twice is
    the other one (the owner holds the shared objects and is usually the larger plan).
    """
    project = project_name(root)
    order: list[str] = []

    def not_owner(name: str) -> bool:
        stack = _try_load(root, name)
        if isinstance(stack, YamlFileError):
            return True
        key = f"{project}:owns_global"
        return (overrides or {}).get(name, {}).get(key, stack.value(key)) != "true"

    def visit(name: str, seen: tuple[str, ...]) -> None:
        if name in order or name in seen:
            return
        stack = _try_load(root, name)
        mine = (overrides or {}).get(name)
        peer = None if isinstance(stack, YamlFileError) or not _valid(stack, mine) else peer_of(stack, project, mine)
        if peer is not None and (root / f"Pulumi.{peer}.yaml").exists():
            visit(peer, (*seen, name))
        order.append(name)

    names = list(wanted or stack_names(root))
    for name in sorted(names, key=not_owner) if owners_first else names:
        visit(name, ())
    return order


def _as_deployed(root: Path, project: str) -> dict[str, dict[str, str]]:
    key = f"{project}:unreachable"
    found = {}
    for name in stack_names(root):
        stack = _try_load(root, name)
        if not isinstance(stack, YamlFileError) and stack.value(key) == "true":
            found[name] = {key: "false"}
    return found


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


def _peer_of(root: Path, name: str, project: str, overrides: Mapping[str, str] | None) -> str | None:
    stack = _try_load(root, name)
    return None if isinstance(stack, YamlFileError) else peer_of(stack, project, overrides)


def plan_stacks(
    wanted: Sequence[str] | None = None,
    root: Path = ROOT,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
) -> list[StackPlan]:
    """Plan ``wanted`` (default: every stack) in dependency order; a peer planned only as a dependency is
    returned too, first. ``overrides`` replaces config values per stack (tests, a promotion preview).

    A stack whose region is down (``unreachable: true``) is planned as it stands in Azure, with its whole
    declaration: only a deployment during the outage (the lifecycle replay) runs it with the region unreachable."""
    project = project_name(root)
    overrides = {**_as_deployed(root, project), **(overrides or {})}
    order = plan_order(root, wanted, overrides, owners_first=True)
    shown = plan_order(root, wanted, overrides)  # the order results are given in: peers first, then as asked
    plans: dict[str, StackPlan] = {}

    def plan(name: str) -> StackPlan:
        stack = _try_load(root, name)
        if isinstance(stack, YamlFileError):
            return StackPlan(stack=name, project=project, resources=[], outputs={}, error=str(stack))
        missing = _missing_peer(root, stack, project, overrides.get(name))
        if missing is not None:
            error = located(stack, missing, overrides.get(name))
            return StackPlan(stack=name, project=project, resources=[], outputs={}, error=error)
        outputs = {n: p.outputs for n, p in plans.items() if p.error is None}  # a failed plan exports nothing
        with progress.step(f"planned stack {name}") as step:
            planned = run_stack(stack, outputs, root, overrides.get(name))
            step.detail = planned.error or f"{sum(r.custom and not r.read for r in planned.resources)} resources"
        return planned

    for name in order:
        plans[name] = plan(name)
    peers = {name: _peer_of(root, name, project, overrides.get(name)) for name in order}
    for index, name in enumerate(order):  # second pass where a peer was planned after its reader
        peer = peers[name]
        if peer in order and order.index(peer) > index:
            plans[name] = plan(name)
    for name in order:  # a peer that planned in the first pass but failed in the second exported nothing after all
        peer = peers[name]
        if peer in plans and plans[peer].error and not plans[name].error:
            plans[name] = plan(name)
    return [plans[name] for name in shown]
