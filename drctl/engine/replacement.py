"""Would the azure-native provider replace a resource? Answered from ``data/azure-native-replace.json``.

The provider decides from metadata the Python SDK does not carry (facts §0): every URL path parameter, every
top-level create-only property and a hand-written ``forceNewMap``. The table (a copy of the project's reference
``azure-native-replace.json``, reconstructed from the provider's rules at the pinned SDK's API versions) lists
them per type. Conservative by design: a key marked unverified counts as replacing, an unverified "body" means
any body change counts, and a type missing from the table replaces on any change of its inputs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from azure_dr.components import facts
from azure_dr.components.facts.paths import dig
from azure_dr.components.facts.recovery import STATEFUL_TYPES

from .recording import RecordedResource, StackPlan

TABLE_PATH = Path(facts.__file__).parent / "data" / "azure-native-replace.json"
ANY_CHANGE = "*"


@dataclass(frozen=True)
class TypeRules:
    """The replace-on-change keys of one type (dotted camelCase paths; ``*`` = any input)."""

    replace: tuple[str, ...]
    refused: tuple[str, ...] = ()
    """Create-only but nested: the provider sends an update that Azure refuses (e.g. backup.geoRedundantBackup)."""


@cache
def table() -> dict[str, TypeRules]:
    data = json.loads(TABLE_PATH.read_text())
    rules: dict[str, TypeRules] = {}
    for type_, entry in data["types"].items():
        keys = list(entry["replace"])
        for key in entry.get("unverified", []):
            keys.append(ANY_CHANGE if " " in key else key)  # "body props (...)": every body input counts
        rules[type_] = TypeRules(tuple(keys), tuple(entry.get("nested_create_only_not_replace", [])))
    return rules


# Kubernetes objects (pulumi-kubernetes) replace when their identity changes; their spec is updated in place,
# except the fields the API server refuses to change (Deployment spec.selector), which the provider replaces.
KUBERNETES_RULES = TypeRules(("metadata.name", "metadata.namespace", "spec.selector", "name", "namespace"))


def rules_for(type_: str) -> TypeRules:
    if type_.startswith("kubernetes:"):
        return KUBERNETES_RULES
    return table().get(type_, TypeRules((ANY_CHANGE,)))


def changed_keys(before: Mapping[str, Any], after: Mapping[str, Any], ignored: Iterable[str] = ()) -> list[str]:
    """Top-level inputs that differ (added, removed or changed), minus ``ignore_changes``."""
    skip = set(ignored)
    return sorted(k for k in set(before) | set(after) if k not in skip and before.get(k) != after.get(k))


def _ignored(path: str, ignored: Iterable[str]) -> bool:
    return any(path == i or path.startswith(f"{i}.") or path.startswith(f"{i}[") for i in ignored)


def _step(key: str) -> str:
    """A key as a path step: ``.sku``, or ``["/subscriptions/.../id-x"]`` for a key that holds a dot or a slash
    (a map keyed by resource id), so the path stays one path."""
    return f".{key}" if not set(key) & {".", "/", "[", "]"} else f'["{key}"]'


def changed_paths(before: Mapping[str, Any], after: Mapping[str, Any], ignored: Iterable[str] = ()) -> list[str]:
    """The property paths that differ, as deep as both sides are objects (``sku.name``, ``storage.storageSizeGB``;
    a list of equal length by index, ``locations[1].failoverPriority``), minus ``ignore_changes``. A key set on
    one side only, or null on one side, is a change of that key."""
    skip = tuple(ignored)
    found: list[str] = []

    def walk(old: Any, new: Any, path: str) -> None:
        if _ignored(path, skip) or old == new:
            return
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            for key in sorted(set(old) | set(new)):
                walk(old.get(key), new.get(key), f"{path}{_step(key)}")
        elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
            for index, (a, b) in enumerate(zip(old, new, strict=True)):
                walk(a, b, f"{path}[{index}]")
        else:
            found.append(path)

    for key in sorted(set(before) | set(after)):
        walk(before.get(key), after.get(key), key)
    return found


def replacing_keys(before: RecordedResource, after: RecordedResource) -> tuple[str, ...]:
    """The create-only inputs that differ (changed, added or removed) between two registrations."""
    rules = rules_for(after.type)
    ignored = set(after.ignore_changes)
    found: list[str] = []
    for key in rules.replace:
        if key == ANY_CHANGE:
            found.extend(k for k in changed_keys(before.inputs, after.inputs, ignored) if k not in found)
        elif (
            key.split(".", 1)[0] not in ignored
            and key not in ignored
            and dig(before.inputs, key) != dig(after.inputs, key)
            and key not in found
        ):
            found.append(key)
    return tuple(found)


def refused_keys(before: RecordedResource, after: RecordedResource) -> tuple[str, ...]:
    """Nested create-only inputs that changed: an update Azure refuses (a new generation is the way).

    A key declared for the first time (a promoted replica now declaring ``backup``) or no longer declared is not
    a change Azure sees: the first states what Azure already has (a server created as a replica has geo-redundant
    backup Disabled), the second is simply not sent."""
    found = []
    for key in rules_for(after.type).refused:
        old, new = dig(before.inputs, key), dig(after.inputs, key)
        if old is not None and new is not None and old != new:
            found.append(key)
    return tuple(found)


#: Inputs Azure only lets grow: a smaller value is refused, not applied. PostgreSQL flexible server storage: "You
#: can't scale down the storage" (Learn, "Scale operations - Azure portal"), and storage autogrow enlarges it on its
#: own (Learn, "Configure storage autogrow"), so a deployed state can hold more than the stack file says.
GROW_ONLY: dict[str, tuple[str, ...]] = {"azure-native:dbforpostgresql:Server": ("storage.storageSizeGB",)}


def shrunk_keys(before: RecordedResource, after: RecordedResource) -> tuple[str, ...]:
    """Grow-only inputs the new registration makes smaller than the state holds (Azure refuses the update); a key
    the resource ignores after creation (``ignore_changes``) is never sent, so never refused."""
    found = []
    for key in GROW_ONLY.get(after.type, ()):
        if key in after.ignore_changes:
            continue
        old, new = dig(before.inputs, key), dig(after.inputs, key)
        if isinstance(old, int | float) and isinstance(new, int | float) and new < old:
            found.append(key)
    return tuple(found)


@dataclass(frozen=True)
class Replacement:
    urn: str
    type: str
    keys: tuple[str, ...]


def replacements(before: StackPlan, after: StackPlan) -> list[Replacement]:
    """Resources the switch from ``before`` to ``after`` would replace, by URN."""
    old = {r.urn: r for r in before.resources}
    found = []
    for new in after.resources:
        prev = old.get(new.urn)
        if prev is not None and new.custom and not new.read:
            keys = replacing_keys(prev, new)
            if keys:
                found.append(Replacement(new.urn, new.type, keys))
    return found


def stateful(resources: Iterable[RecordedResource]) -> list[RecordedResource]:
    return [r for r in resources if r.type in STATEFUL_TYPES]


def deleted(before: StackPlan, after: StackPlan) -> list[RecordedResource]:
    """Resources of ``before`` that ``after`` no longer declares (Pulumi would delete them)."""
    kept = {r.urn for r in after.resources}
    return [r for r in before.resources if r.urn not in kept]
