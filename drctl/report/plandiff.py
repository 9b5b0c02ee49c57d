"""``drctl diff``: what a change does to each resource, as a reviewer needs it on a pull request.

Each resource of each stack is ``create | update | replace | delete | same``, with the property paths that
change and, for a replacement, why (the create-only inputs of ``azure-native-replace.json``, or a new logical
name: Pulumi creates the new resource and deletes the old one). The classification is ``engine.changes.classify``,
the one the switch commands replay with; a create and a delete of the same type at the same place in the
program's tree (the same parents, the same order) are one resource renamed, and reported as its replacement.

Exit codes: 0 when nothing stateful (``STATEFUL_TYPES``: servers, accounts, caches, vaults, registries, clusters,
workspaces) is replaced or deleted; 1 when something stateful would be, or a step is refused; 2 when a side
cannot be planned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from azure_dr.components.facts.recovery import STATEFUL_TYPES

from ..engine.changes import Change, classify, locks_of
from ..engine.recording import RecordedResource, StackPlan
from ..engine.replacement import changed_paths, replacing_keys
from . import schemas

Op = Literal["create", "update", "replace", "delete", "same"]
OPS: tuple[Op, ...] = ("create", "update", "replace", "delete", "same")


@dataclass(frozen=True)
class Entry:
    """One resource of one stack in the diff."""

    stack: str
    urn: str
    type: str
    name: str
    op: Op
    paths: tuple[str, ...] = ()
    reason: str = ""
    old_urn: str = ""
    blocked: bool = False
    """``pulumi up`` stops here (protect, a lock, an update Azure refuses): the change is not applied as is."""
    retained: bool = False
    """A delete that only forgets: Azure keeps the resource (``retain_on_delete``)."""

    @property
    def stateful(self) -> bool:
        return self.type in STATEFUL_TYPES

    @property
    def at_risk(self) -> bool:
        """A stateful resource replaced or deleted: its data would go."""
        return self.stateful and self.op in ("replace", "delete") and not self.retained

    def as_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "stack": self.stack,
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "op": self.op,
            "paths": list(self.paths),
            "stateful": self.stateful,
        }
        if self.reason:
            entry["reason"] = self.reason
        if self.old_urn:
            entry["old_urn"] = self.old_urn
        if self.blocked:
            entry["blocked"] = True
        if self.retained:
            entry["retained"] = True
        return entry


@dataclass
class Diff:
    """Every stack's entries, what could not be planned, and what a replay refused."""

    label: str
    entries: list[Entry] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def at_risk(self) -> list[Entry]:
        return [e for e in self.entries if e.at_risk]

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if self.at_risk or self.refused else 0


def _replace_reason(change: Change) -> str:
    keys = ", ".join(change.keys)
    why = f"create-only input(s) change: {keys} (the provider replaces the resource: azure-native-replace.json)"
    if change.action == "blocked":
        return f"{why}; {change.reason}: pulumi up stops here"
    return why


def entries_of(stack: str, changes: Iterable[Change]) -> list[Entry]:
    """The classifier's changes as diff entries."""
    out = []
    for c in changes:
        if c.action == "unchanged":
            out.append(Entry(stack, c.urn, c.type, c.name, "same"))
        elif c.action in ("update", "create", "delete", "replace"):
            reason = _replace_reason(c) if c.action == "replace" else ""
            out.append(Entry(stack, c.urn, c.type, c.name, c.action, c.paths or c.keys, reason))
        elif c.action == "refused":
            out.append(Entry(stack, c.urn, c.type, c.name, "update", c.paths or c.keys, c.reason, blocked=True))
        elif c.action == "import":  # adopted: Pulumi reads the existing resource into its state, no write to Azure
            why = "import: Pulumi adopts the resource Azure already holds; nothing is written"
            out.append(Entry(stack, c.urn, c.type, c.name, "create", (), why))
        elif c.action == "forget":
            why = "retain_on_delete: Pulumi forgets it, Azure keeps it"
            out.append(Entry(stack, c.urn, c.type, c.name, "delete", (), why, retained=True))
        elif c.reason.startswith("replace"):
            out.append(
                Entry(stack, c.urn, c.type, c.name, "replace", c.paths or c.keys, _replace_reason(c), blocked=True)
            )
        else:  # a delete blocked by protect or a lock
            out.append(
                Entry(stack, c.urn, c.type, c.name, "delete", (), f"{c.reason}: pulumi up stops here", blocked=True)
            )
    return out


def structure(plan: StackPlan) -> dict[str, tuple[tuple[str, int], ...]]:
    """Each resource's place in the program's tree, independent of names: its parents' places, its type, and
    its rank among its siblings of that type (registration order)."""
    places: dict[str, tuple[tuple[str, int], ...]] = {}
    seen: Counter[tuple[Any, ...]] = Counter()
    for r in plan.resources:
        parent = places.get(r.parent or "", ())
        rank = seen[(parent, r.type)]
        seen[(parent, r.type)] += 1
        places[r.urn] = (*parent, (r.type, rank))
    return places


def _renamed(stack: str, base: StackPlan, head: StackPlan, entries: list[Entry]) -> list[Entry]:
    """A delete and a create at the same place in the tree: one resource whose logical name changes."""
    old_place, new_place = structure(base), structure(head)
    old_by = {r.urn: r for r in base.resources}
    new_by = {r.urn: r for r in head.resources}
    deletes = {old_place[e.urn]: e for e in entries if e.op == "delete" and not e.retained and e.urn in old_place}
    result: list[Entry] = []
    paired: set[str] = set()
    for e in entries:
        place = new_place.get(e.urn)
        gone = deletes.get(place) if e.op == "create" and place is not None else None
        if gone is None or gone.type != e.type:
            result.append(e)
            continue
        before, after = old_by[gone.urn], new_by[e.urn]
        paired.add(gone.urn)
        result.append(_rename(stack, before, after))
    return [e for e in result if e.urn not in paired]


def _rename(stack: str, before: RecordedResource, after: RecordedResource) -> Entry:
    keys = replacing_keys(before, after)
    kind = after.type.rsplit(":", 1)[-1]
    why = (
        f"its logical name changes ({before.name} -> {after.name}): Pulumi creates a new {kind} and deletes the old one"
    )
    if keys:
        why += f"; create-only input(s) change too: {', '.join(keys)}"
    if before.protect:
        why += "; the old one is protected: pulumi up stops before deleting it"
    return Entry(
        stack,
        after.urn,
        after.type,
        after.name,
        "replace",
        tuple(changed_paths(before.inputs, after.inputs, after.ignore_changes)),
        why,
        old_urn=before.urn,
        blocked=before.protect,
    )


def compare(
    base: Sequence[StackPlan], head: Sequence[StackPlan], label: str, stacks: Sequence[str] | None = None
) -> Diff:
    """Each stack of ``head`` against the same stack of ``base``."""
    diff = Diff(label)
    before = {p.stack: p for p in base}
    after = {p.stack: p for p in head}
    wanted = list(stacks) if stacks else list(dict.fromkeys([*after, *before]))
    for name in wanted:
        old, new = before.get(name), after.get(name)
        if new is None and old is None:
            diff.errors[name] = f"no stack {name} on either side"
        elif new is None:
            diff.notes.append(f"stack {name}: its stack file is gone; pulumi up changes nothing (destroy would delete)")
        elif new.error or (old is not None and old.error):
            side = "this change" if new.error else "the base"
            diff.errors[name] = f"{side} does not plan: {new.error or (old.error if old else '')}"
        elif old is None:
            diff.entries += [
                Entry(name, r.urn, r.type, r.name, "create") for r in new.resources if r.custom and not r.read
            ]
            diff.notes.append(f"stack {name}: new in this change")
        else:
            changes = classify(old, new, locks_of([old]), {})
            diff.entries += _renamed(name, old, new, entries_of(name, changes))
            diff.notes += unsent_edits(name, old, new)
    return diff


def unsent_edits(stack: str, base: StackPlan, head: StackPlan) -> list[str]:
    """Edits of the change that ``pulumi up`` will not send: the resource ignores those paths after creation
    (``ignore_changes``), so a reviewer must not read them as applied."""
    before = {r.urn: r for r in base.resources}
    notes = []
    for r in head.resources:
        prev = before.get(r.urn)
        if prev is None or not r.ignore_changes:
            continue
        unsent = sorted(
            set(changed_paths(prev.inputs, r.inputs)) - set(changed_paths(prev.inputs, r.inputs, r.ignore_changes))
        )
        if unsent:
            notes.append(
                f"stack {stack}: {r.name}: {', '.join(unsent)} changed, but the resource ignores it after creation: "
                "pulumi up does not send it (apply it in Azure; the component's docstring says how)"
            )
    return notes


def _short(type_: str) -> str:
    return type_.removeprefix("azure-native:")


def text(diff: Diff) -> str:
    """The diff for people (and a pull-request comment)."""
    lines = [f"drctl diff: {diff.label}"]
    by_stack: dict[str, list[Entry]] = {}
    for e in diff.entries:
        by_stack.setdefault(e.stack, []).append(e)
    for stack, entries in by_stack.items():
        counts = Counter(e.op for e in entries)
        lines.append(f"stack {stack}: " + ", ".join(f"{counts[op]} {op}" for op in OPS if counts[op]))
        for e in entries:
            if e.op == "same":
                continue
            marks = [m for m, on in (("stateful", e.stateful), ("blocked", e.blocked)) if on]
            name = e.name if not e.old_urn else f"{e.old_urn.rsplit('::', 1)[-1]} -> {e.name}"
            head = f"  {e.op:8} {_short(e.type)} {name}" + (f" [{', '.join(marks)}]" if marks else "")
            lines.append(head + (f": {', '.join(e.paths)}" if e.paths else ""))
            if e.reason:
                lines.append(f"           why: {e.reason}")
    for stack, error in diff.errors.items():
        lines.append(f"stack {stack}: ERROR: {error}")
    lines += [f"note: {n}" for n in diff.notes]
    lines += [f"REFUSED: {p}" for p in diff.refused]
    risk = diff.at_risk
    if diff.errors:
        lines.append(f"ERROR: {len(diff.errors)} stack(s) could not be compared ({', '.join(diff.errors)})")
    elif risk:
        named = ", ".join(f"{e.stack}:{e.name}" for e in risk)
        lines.append(f"UNSAFE: {len(risk)} stateful resource(s) would be replaced or deleted: {named}")
    elif diff.refused:
        lines.append(f"UNSAFE: {len(diff.refused)} refused step(s)")
    else:
        lines.append("SAFE: nothing stateful is replaced or deleted")
    return "\n".join(lines)


def document(diff: Diff) -> dict[str, Any]:
    """``drctl diff --json``: one document, one entry per resource (schema ``drctl schema diff``)."""
    counts: dict[str, Counter[str]] = {}
    for e in diff.entries:
        counts.setdefault(e.stack, Counter())[e.op] += 1
    return {
        "schema": schemas.DIFF_ID,
        "base": diff.label,
        "stacks": [{"stack": stack, "counts": {op: c[op] for op in OPS}} for stack, c in counts.items()],
        "resources": [e.as_dict() for e in diff.entries],
        "errors": [{"stack": s, "error": m} for s, m in diff.errors.items()],
        "notes": list(diff.notes),
        "refused": list(diff.refused),
        "at_risk": [e.urn for e in diff.at_risk],
        "safe": diff.exit_code == 0,
    }


def from_changes(label: str, changes: Mapping[str, Sequence[Change]], refused: Sequence[str]) -> Diff:
    """A replay's per-stack changes (the no-base ``drctl diff``) in the same shape."""
    diff = Diff(label, refused=list(refused))
    for stack, found in changes.items():
        diff.entries += entries_of(stack, found)
    return diff
