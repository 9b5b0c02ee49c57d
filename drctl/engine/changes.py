"""What ``pulumi up`` of a new plan does to a stack's state, resource by resource: the one classifier.

``classify`` compares the state (a plan of what was deployed) with the new plan, by URN: unchanged, update (which
inputs, and the property paths inside them), replace (which create-only inputs, per azure-native-replace.json),
create, import (adopted by ``import_id``), delete, forget (``retain_on_delete``), blocked (by ``protect`` or by a
lock, locks being inherited by child resources), refused (a nested create-only input Azure refuses to update, or a
grow-only input made smaller). Paths the resource ignores keep the state's value, as Pulumi sends them. The switch
commands' offline replay (``lifecycle.simulate``) and ``drctl diff --base`` (``report.plandiff``) both use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from azure_dr.components.facts import azure_transitions as azure

from ..report.render import LOCK
from .recording import RecordedResource, StackPlan
from .replacement import changed_keys, changed_paths, refused_keys, replacing_keys, shrunk_keys

Action = Literal["unchanged", "update", "replace", "create", "import", "delete", "forget", "blocked", "refused"]
_EXTENSION_KEYS = ("scope", "resourceUri")


@dataclass(frozen=True)
class Change:
    urn: str
    type: str
    name: str
    action: Action
    keys: tuple[str, ...] = ()
    reason: str = ""
    region: str = ""
    #: The property paths that change (update, replace, refused): deeper than ``keys``, for a reviewer.
    paths: tuple[str, ...] = ()

    @property
    def short_type(self) -> str:
        return self.type.removeprefix("azure-native:")


def locks_of(plans: Iterable[StackPlan]) -> dict[str, str]:
    """Locked scope id -> the lock's logical name, across every stack's state (locks cross stacks too)."""
    found: dict[str, str] = {}
    for p in plans:
        for r in p.of_type(LOCK):
            if r.inputs.get("level") == "CanNotDelete" and isinstance(r.inputs.get("scope"), str):
                found[r.inputs["scope"]] = r.name
    return found


def _lock_over(resource_id: str | None, locks: Mapping[str, str]) -> tuple[str, str] | None:
    if not resource_id:
        return None
    for scope, lock in locks.items():
        if resource_id == scope or resource_id.startswith(scope.rstrip("/") + "/"):
            return scope, lock
    return None


def _region_of(resource: RecordedResource, groups: Mapping[str, str]) -> str:
    """The region a write to this resource lands in: its resource group's (the global group is 'global')."""
    ids = [resource.id or ""] + [str(resource.inputs.get(k, "")) for k in _EXTENSION_KEYS]
    for rid in ids:
        m = re.search(r"/resourceGroups/([^/]+)", rid)
        if m and m.group(1) in groups:
            return groups[m.group(1)]
    group = resource.inputs.get("resourceGroupName")
    if isinstance(group, str) and group in groups:
        return groups[group]
    location = resource.inputs.get("location")
    return str(location) if isinstance(location, str) else ""


def classify(
    state: StackPlan, new: StackPlan, locks: Mapping[str, str], groups: Mapping[str, str], lifted: Iterable[str] = ()
) -> list[Change]:
    """What ``pulumi up`` of ``new`` does to ``state``."""
    lifted = set(lifted)
    live_locks = {s: n for s, n in locks.items() if not any(s.endswith("/" + x) for x in lifted)}
    old = {r.urn: r for r in state.resources if r.custom and not r.read}
    changes: list[Change] = []
    for r in new.resources:
        if not r.custom or r.read:
            continue
        prev = old.pop(r.urn, None)
        region = _region_of(r, groups)
        if prev is None:
            action: Action = "import" if r.import_id else "create"
            changes.append(
                Change(r.urn, r.type, r.name, action, reason="adopted" if r.import_id else "", region=region)
            )
            continue
        refused = refused_keys(prev, r)
        keys = replacing_keys(prev, r)
        paths = tuple(changed_paths(prev.inputs, r.inputs, r.ignore_changes))
        shrunk = shrunk_keys(prev, r)
        if shrunk and not refused:
            why = "Azure only grows it (autogrow or a scale-up made it larger): set the file to the deployed size"
            changes.append(Change(r.urn, r.type, r.name, "refused", shrunk, why, region, shrunk))
        elif refused:
            why = "create-only nested input: Azure refuses the update; create a new generation"
            changes.append(Change(r.urn, r.type, r.name, "refused", refused, why, region, paths))
        elif keys:
            blocker = _lock_over(prev.id, live_locks)
            if prev.protect or blocker:
                why = f"lock {blocker[1]}" if blocker else "protect"
                changes.append(
                    Change(r.urn, r.type, r.name, "blocked", keys, f"replace blocked by {why}", region, paths)
                )
            else:
                changes.append(Change(r.urn, r.type, r.name, "replace", keys, region=region, paths=paths))
        else:
            sent = azure.effective(r.inputs, prev.inputs, r.ignore_changes)  # ignored paths keep the state's value
            diff = changed_keys(prev.inputs, sent, r.ignore_changes)
            kind: Action = "update" if diff else "unchanged"
            changes.append(Change(r.urn, r.type, r.name, kind, tuple(diff), region=region, paths=paths))
    for prev in old.values():
        region = _region_of(prev, groups)
        blocker = _lock_over(prev.id, live_locks) if prev.type != LOCK else None
        if prev.protect:
            changes.append(Change(prev.urn, prev.type, prev.name, "blocked", (), "delete blocked by protect", region))
        elif prev.retain_on_delete:
            changes.append(Change(prev.urn, prev.type, prev.name, "forget", (), "retain_on_delete", region))
        elif blocker:
            changes.append(
                Change(
                    prev.urn,
                    prev.type,
                    prev.name,
                    "blocked",
                    (),
                    f"delete blocked by lock {blocker[1]} (inherited)",
                    region,
                )
            )
        else:
            changes.append(Change(prev.urn, prev.type, prev.name, "delete", region=region))
    return changes
