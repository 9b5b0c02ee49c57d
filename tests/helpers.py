"""Small readers over recorded plans, shared by the tests."""

from __future__ import annotations

import json
from typing import Any

from components.paths import dig as dig
from drctl.engine import ROOT
from drctl.recording import RecordedResource, StackPlan
from drctl.stackfiles import load_stack


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
