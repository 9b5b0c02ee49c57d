"""Run the azure-dr policy pack (``policies/``) over hand-built resources, through the pack's own servicer.

The pack is loaded as the ``drctl`` console script loads it (``engine.pack_inprocess.InProcessPack``: the pack's
``__main__.py`` run as ``python -m pulumi.policy`` runs it, its ``PolicyPack`` servicer kept), so every rule is
judged by the same code path as ``drctl check`` and ``pulumi preview --policy-pack``: each request is serialised
and parsed again as gRPC delivers it, props travel as a protobuf Struct (numbers become floats) and arrive wrapped
in ``pulumi_policy``'s unknown-checking proxy. ``tests/test_perf_engine.py`` proves its answers are the pack
process's, byte for byte; the pack's own process is what ``drctl check`` in the tests talks to
(``tests/shared_runs.py``). In-process, a call costs no socket round trip and no second interpreter's CPU:
``test_every_rule_fires`` and the rule cases make ~10,000 of them.

ONE pack serves the whole test session (per xdist worker): it is loaded on first use. A different policy config
needs no other pack; ``analyze`` sends ``Configure`` again whenever the requested config differs from the one the
pack has.

    from tests.policy_harness import analyze, make_resource

    found = analyze([make_resource(PG_SERVER, {"backup": {"backupRetentionDays": 7}})])
    found.violations("pg-backup-retention")          # -> [PolicyResult]
    found.skipped("pg-backup-retention")             # -> [not-applicable reason]
"""

from __future__ import annotations

import atexit
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from azure_dr.cli.engine.analyzer import PolicyInfo, PolicyPackProcess, PolicyResult
from azure_dr.cli.engine.pack_inprocess import InProcessPack
from azure_dr.cli.engine.recording import RecordedResource, StackPlan

ROOT = Path(__file__).resolve().parents[1]
PACK_DIR = ROOT / "policies"
PROJECT = "azure-dr"
STACK_TYPE = "pulumi:pulumi:Stack"

# The pack's own package, for tests that read rule metadata directly (the pack process finds it via its cwd).
if str(PACK_DIR) not in sys.path:
    sys.path.insert(0, str(PACK_DIR))

#: ``pulumi_policy``'s sentinel for a string that is unknown during preview; put it in props to test unknowns.
UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

__all__ = [
    "PACK_DIR",
    "UNKNOWN_STRING",
    "Analysis",
    "analyze",
    "make_resource",
    "pack_policies",
    "policy_pack",
    "stack_plan",
    "urn",
]


class Analysis(NamedTuple):
    """What the pack said about one stack: violations, and ``(stack, policy, reason)`` not-applicable entries."""

    results: list[PolicyResult]
    not_applicable: list[tuple[str, str, str]]

    def violations(self, policy: str) -> list[PolicyResult]:
        """The violations of one policy (rule id)."""
        return [r for r in self.results if r.policy_name == policy]

    def skipped(self, policy: str) -> list[str]:
        """The not-applicable reasons one policy gave (e.g. ``exempt: <urn>: <reason>``)."""
        return [reason for _, name, reason in self.not_applicable if name == policy]


class _Pack:
    """The session's single pack process and the config it was last sent."""

    process: PolicyPackProcess | None = None
    config_key: str | None = None


def _process() -> PolicyPackProcess:
    if _Pack.process is None:
        process = InProcessPack(PACK_DIR, project=PROJECT, stack="primary")
        process.start()
        atexit.register(process.close)
        _Pack.process = process
    return _Pack.process


def _configured(config: Mapping[str, Any] | None) -> PolicyPackProcess:
    """The pack process, configured with the pack's defaults overlaid by ``config``."""
    process = _process()
    key = json.dumps(config or {}, sort_keys=True)
    if key != _Pack.config_key:
        process.configure(config)
        _Pack.config_key = key
    return process


@pytest.fixture(scope="session")
def policy_pack() -> Iterator[PolicyPackProcess]:
    """The session's pack process (configured with defaults), for tests that want the process itself."""
    yield _configured(None)


def pack_policies() -> list[PolicyInfo]:
    """The policies the running pack describes (``GetAnalyzerInfo``), sorted by name."""
    return _process().info()[2]


def urn(stack: str, qualified_type: str, name: str) -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{qualified_type}::{name}"


def make_resource(
    type_: str,
    props: Mapping[str, Any],
    *,
    name: str | None = None,
    stack: str = "primary",
    parent_type: str = "",
    parent: str | None = None,
    protect: bool = False,
    urn_: str | None = None,
    outputs: Mapping[str, Any] | None = None,
    **options: Any,
) -> RecordedResource:
    """A custom resource as a program run would record it: ``props`` are the (camelCase) inputs.

    ``outputs`` default to the inputs plus an ``id``; ``options`` are any other ``RecordedResource`` field
    (``dependencies``, ``ignore_changes``, ``provider``, ``read``...).
    """
    name = name or type_.rsplit(":", 1)[-1].lower()
    qualified = f"{parent_type}${type_}" if parent_type else type_
    inputs = dict(props)
    return RecordedResource(
        urn=urn_ or urn(stack, qualified, name),
        type=type_,
        name=name,
        custom=True,
        inputs=inputs,
        outputs=dict(outputs) if outputs is not None else dict(inputs),
        parent=parent,
        protect=protect,
        **options,
    )


def stack_plan(resources: Sequence[RecordedResource], stack: str = "primary") -> StackPlan:
    """A stack plan of ``resources`` under the stack's root resource, as an offline run records it."""
    root = RecordedResource(
        urn=urn(stack, STACK_TYPE, f"{PROJECT}-{stack}"),
        type=STACK_TYPE,
        name=f"{PROJECT}-{stack}",
        custom=False,
        inputs={},
        outputs={},
    )
    return StackPlan(stack=stack, project=PROJECT, resources=[root, *resources], outputs={})


def analyze(
    resources: Sequence[RecordedResource],
    stack: str = "primary",
    config: Mapping[str, Any] | None = None,
) -> Analysis:
    """Run every policy of the pack over one stack made of ``resources`` (``Analyze`` each, then ``AnalyzeStack``).

    ``config`` is per-policy config as in a policy config file, e.g. ``{"pg-backup-retention": {"min_days": 35}}``.
    """
    process = _configured(config)
    results, not_applicable = process.analyze_stack(stack_plan(resources, stack))
    return Analysis(results, not_applicable)
