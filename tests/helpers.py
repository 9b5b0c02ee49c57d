"""Small readers over recorded plans, shared by the tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import RecordedResource, StackPlan
from azure_dr.cli.lifecycle import transitions as lifecycle
from azure_dr.cli.lifecycle.pair import Pair
from azure_dr.cli.stackfiles.files import load_stack
from azure_dr.components.facts.paths import dig as dig


def children_of(plan: StackPlan, parent: RecordedResource) -> list[RecordedResource]:
    return [r for r in plan.resources if r.parent == parent.urn]


def stack_value(stack: str, key: str) -> Any:
    """A value of the shipped ``Pulumi.<stack>.yaml`` as the program receives it (JSON decoded)."""
    raw = load_stack(ROOT, stack).config[f"azure-dr:{key}"]
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def with_block(stack: str, block: str, **changes: Any) -> dict[str, str]:
    """A config override that changes keys inside one structured block of the shipped stack."""
    value = dict(stack_value(stack, block)) if f"azure-dr:{block}" in load_stack(ROOT, stack).config else {}
    value.update(changes)
    return {f"azure-dr:{block}": json.dumps(value)}


def promoted_pair() -> dict[str, dict[str, str]]:
    """Config overrides for the pair as `drctl promote --planned` then `drctl settle` leave it: dr active, its
    server promoted by switchover, primary's server its replica, primary's cache the geo-secondary (the
    lifecycle itself is replayed step by step in test_lifecycle.py)."""
    return {
        "primary": {
            "azure-dr:role": "standby",
            "azure-dr:peer_stack": "dr",
            "azure-dr:peer_region": "ukwest",
            **with_block("primary", "backup", retained_instances=["psql-qlp-prod-uks-1"]),
            **with_block("primary", "postgres", state="replica"),
            **with_block("primary", "redis", geo_secondary=True),
        },
        "dr": {
            "azure-dr:role": "active",
            **with_block("dr", "postgres", state="primary", promotion="planned"),
            **with_block("dr", "redis", geo_secondary=False),
        },
    }


def named(plan: StackPlan, type_: str, part: str) -> RecordedResource:
    """The one resource of ``type_`` whose logical name contains ``part`` (a stack holds several containers)."""
    (found,) = [r for r in plan.of_type(type_) if part in r.name]
    return found


Step = Callable[[Pair], lifecycle.Transition]
#: The switch commands' cycles as an operator runs them (each switch then its settle).
FORCED_CYCLE: list[tuple[str, Step]] = [
    ("promote --forced", lambda p: lifecycle.promote(p, "forced")),
    ("settle", lifecycle.settle),
    ("rebuild primary", lambda p: lifecycle.rebuild(p, "primary")),
    ("settle", lifecycle.settle),
    ("failback", lifecycle.failback),
    ("settle", lifecycle.settle),
    ("release primary", lambda p: lifecycle.release(p, "primary")),
]
PLANNED_CYCLE: list[tuple[str, Step]] = [
    ("promote --planned", lambda p: lifecycle.promote(p, "planned")),
    ("settle", lifecycle.settle),
    ("failback", lifecycle.failback),
    ("settle", lifecycle.settle),
]
