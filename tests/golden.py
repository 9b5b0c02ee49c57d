"""The shipped stacks' recorded plan as JSON: every resource's identity, inputs and options, and the exports.

``tests/test_plan_golden.py`` compares today's plan against ``tests/data/plan-golden.json`` so that a refactor of
the components cannot change a resource, its inputs or its options unnoticed. After an *intended* change,
regenerate the golden file with::

    .venv/bin/python -m tests.golden --update

Component ``register_outputs`` values are left out on purpose: they are the components' API, not the plan.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.recording import RecordedResource, StackPlan

GOLDEN = Path(__file__).resolve().parent / "data" / "plan-golden.json"
REGENERATE = ".venv/bin/python -m tests.golden --update"


def _resource(r: RecordedResource) -> dict[str, Any]:
    return {
        "type": r.type,
        "name": r.name,
        "custom": r.custom,
        "parent": r.parent,
        "id": r.id,
        "inputs": r.inputs,
        "protect": r.protect,
        "ignore_changes": sorted(r.ignore_changes),
        "retain_on_delete": r.retain_on_delete,
        "delete_before_replace": r.delete_before_replace,
        "aliases": sorted(r.aliases),
        "provider": r.provider,
        "dependencies": sorted(r.dependencies),
        "dependencies_count": len(set(r.dependencies)),
        "read": r.read,
        # Only where set, so the file says which resources carry aliases (and older files compare as they were).
        **({"alias_specs": [dataclasses.asdict(a) for a in r.alias_specs]} if r.alias_specs else {}),
    }


def snapshot(plans: list[StackPlan]) -> dict[str, Any]:
    """The comparable part of the plans, keyed by stack and resource URN (URNs are unique in a stack)."""
    return {
        p.stack: {
            "error": p.error,
            "resources": {r.urn: _resource(r) for r in sorted(p.resources, key=lambda r: r.urn)},
            "exports": p.outputs,
        }
        for p in sorted(plans, key=lambda p: p.stack)
    }


def current() -> dict[str, Any]:
    """Plan every shipped stack now; JSON round-tripped so it compares equal to the file's contents."""
    loaded: dict[str, Any] = json.loads(json.dumps(snapshot(engine.plan_stacks()), sort_keys=True, default=str))
    return loaded


def drift(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """One line per difference: a resource added or removed, or the field of a resource that changed."""
    lines: list[str] = []
    for stack in sorted(set(expected) | set(actual)):
        if stack not in actual or stack not in expected:
            lines.append(f"{stack}: stack {'missing' if stack not in actual else 'added'}")
            continue
        old, new = expected[stack], actual[stack]
        if old["error"] != new["error"]:
            lines.append(f"{stack}: error {old['error']!r} -> {new['error']!r}")
        for urn in sorted(set(old["resources"]) | set(new["resources"])):
            if urn not in new["resources"]:
                lines.append(f"{stack}: removed {urn}")
            elif urn not in old["resources"]:
                lines.append(f"{stack}: added {urn}")
            else:
                a, b = old["resources"][urn], new["resources"][urn]
                lines.extend(f"{stack}: {urn}: {k} changed" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))
        for key in sorted(set(old["exports"]) | set(new["exports"])):
            if old["exports"].get(key) != new["exports"].get(key):
                lines.append(f"{stack}: export {key} changed")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.golden", description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help=f"rewrite {GOLDEN.name} from today's plan")
    args = parser.parse_args(argv)
    actual = current()
    if args.update:
        GOLDEN.write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n")
        print(f"wrote {GOLDEN}")
        return 0
    found = drift(json.loads(GOLDEN.read_text()), actual)
    print("\n".join(found) if found else "plan matches the golden file")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
