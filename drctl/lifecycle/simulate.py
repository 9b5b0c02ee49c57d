"""Offline diff with state: replay a switch's runbook step by step and classify what each ``pulumi up`` does.

The state of each stack starts as the plan of its current stack file (what was deployed). Each imperative step
changes the state the way a refresh would read it back afterwards (a new Cosmos write region, a forgotten Redis
link, a failed-over storage account); each ``pulumi up`` plans the stack's new file against its peer's state
*at that moment* and compares it with the stack's state, resource by resource: unchanged, update (which inputs),
replace (which inputs, per azure-native-replace.json), create, delete, forget (retain_on_delete), blocked (by
protect or by which lock, locks being inherited by child resources), refused (a nested create-only input).
After every step the deployed pair must still be valid: one active stack at most, one priority-1 origin at most.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from azure_dr.components.facts.recovery import STATEFUL_TYPES
from azure_dr.components.naming import Names

from ..engine import programs as engine
from ..engine.recording import RecordedResource, StackPlan
from ..engine.replacement import changed_keys, refused_keys, replacing_keys
from ..report.render import LOCK
from ..stackfiles.edit import StackDocument, edited
from ..stackfiles.files import StackFile
from .pair import Pair, load_pair
from .transitions import NAMED, ORIGIN_TYPES, PG_GENERATION, Effect, Step, Transition

Action = Literal["unchanged", "update", "replace", "create", "delete", "forget", "blocked", "refused"]
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

    @property
    def short_type(self) -> str:
        return self.type.removeprefix("azure-native:")


@dataclass
class StepResult:
    step: Step
    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    plan: StackPlan | None = None

    @property
    def changed(self) -> list[Change]:
        return [c for c in self.changes if c.action != "unchanged"]


@dataclass
class Simulation:
    transition: Transition
    results: list[StepResult]
    documents: dict[str, StackDocument]
    final: dict[str, StackPlan]

    @property
    def problems(self) -> list[str]:
        return [p for r in self.results for p in r.problems]

    @property
    def pending(self) -> set[str]:
        """Stacks that took only a targeted up (their region is down): their full up waits for the rebuild."""
        return {r.step.stack for r in self.results if r.step.targets and r.step.stack}


def _locks(plans: Iterable[StackPlan]) -> dict[str, str]:
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
            changes.append(Change(r.urn, r.type, r.name, "create", region=region))
            continue
        refused = refused_keys(prev, r)
        keys = replacing_keys(prev, r)
        if refused:
            changes.append(
                Change(
                    r.urn,
                    r.type,
                    r.name,
                    "refused",
                    refused,
                    "create-only nested input: Azure refuses the update; create a new generation",
                    region,
                )
            )
        elif keys:
            blocker = _lock_over(prev.id, live_locks)
            if prev.protect or blocker:
                why = f"lock {blocker[1]}" if blocker else "protect"
                changes.append(Change(r.urn, r.type, r.name, "blocked", keys, f"replace blocked by {why}", region))
            else:
                changes.append(Change(r.urn, r.type, r.name, "replace", keys, region=region))
        else:
            diff = changed_keys(prev.inputs, r.inputs, r.ignore_changes)
            changes.append(Change(r.urn, r.type, r.name, "update" if diff else "unchanged", tuple(diff), region=region))
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


def _targeted(state: StackPlan, new: StackPlan, types: Sequence[str]) -> StackPlan:
    """``pulumi up --target``: only the targeted resources take their new inputs; every other resource keeps
    its state (the program's outputs are still exported)."""
    chosen = {r.urn: r for r in new.resources if r.type in types}
    resources = [chosen.pop(r.urn, r) for r in state.resources]
    return replace(new, resources=resources + list(chosen.values()))


def _generation(resource: RecordedResource) -> int | None:
    # The PostgresServer component's children: ``<workload>-<region>-psql[-g<N>]-<child>``.
    m = re.match(r"^[a-z0-9]+-[a-z0-9]+-psql(?:-g(\d+))?-", resource.name + "-")
    if m is None or "-psql-vep" in resource.name:
        return None
    return int(m.group(1)) if m.group(1) else 1


def apply_effect(plan: StackPlan, effect: Effect) -> StackPlan:
    """The stack's state as a refresh reads it back after the imperative step."""
    resources: list[RecordedResource] = []
    for r in plan.resources:
        if effect.kind == "forget":
            if (
                (effect.type == PG_GENERATION and _generation(r) == int(effect.value))
                or (effect.type == NAMED and effect.value in r.name)
                or r.type == effect.type
            ):
                continue
        elif r.type == effect.type and effect.kind == "cosmos-write-region":
            locations = sorted(r.inputs.get("locations") or [], key=lambda loc: loc.get("locationName") != effect.value)
            r = replace(
                r,
                inputs={
                    **r.inputs,
                    "locations": [{**loc, "failoverPriority": float(i)} for i, loc in enumerate(locations)],
                },
            )
        elif r.type == effect.type and effect.kind == "storage-failover":
            # Learn, "Azure storage account failover": the secondary becomes primary and the account is LRS.
            r = replace(r, inputs={**r.inputs, "location": effect.value, "sku": {"name": "Standard_LRS"}})
        resources.append(r)
    return replace(plan, resources=resources)


def _groups(pair: Pair) -> dict[str, str]:
    groups: dict[str, str] = {}
    for m in pair.members.values():
        groups[m.names.resource_group] = m.config.region
        groups[Names(m.config.workload, m.config.environment, m.config.region).global_resource_group] = "global"
    return groups


def plan_file(root: Path, stack: StackFile, peer_states: Mapping[str, StackPlan]) -> StackPlan:
    return engine.run_stack(stack, {n: p.outputs for n, p in peer_states.items()}, root)


def _pair_problems(states: Mapping[str, StackPlan], label: str) -> list[str]:
    problems = []
    active = [n for n, p in states.items() if p.outputs.get("role") == "active"]
    if len(active) > 1:
        problems.append(f"{label}: two active stacks ({', '.join(active)})")
    firsts = [
        f"{n}:{r.name}"
        for n, p in states.items()
        for r in p.resources
        if r.type in ORIGIN_TYPES and r.inputs.get("priority") in (1, 1.0)
    ]
    if len(firsts) > 1:
        problems.append(f"{label}: two priority-1 origins ({', '.join(firsts)})")
    return problems


def step_problems(result: StepResult, transition: Transition) -> list[str]:
    label = f"step `{result.step.command}`"
    problems = []
    for c in result.changes:
        stateful = c.type in STATEFUL_TYPES
        if c.action == "blocked":
            problems.append(f"{label}: {c.name} {c.reason}")
        elif c.action == "refused":
            problems.append(f"{label}: {c.name} changes {', '.join(c.keys)}: {c.reason}")
        elif stateful and c.action in ("replace", "delete"):
            problems.append(f"{label}: would {c.action} stateful {c.name} ({', '.join(c.keys)})")
        if (
            transition.failed_region is not None
            and c.action not in ("unchanged", "forget")
            and c.region == transition.failed_region
        ):
            problems.append(f"{label}: writes into the failed region {c.region}: {c.action} {c.name}")
    return problems


def simulate(root: Path, transition: Transition, initial: Mapping[str, StackPlan] | None = None) -> Simulation:
    """Replay ``transition`` on the current stack files; the files themselves are not written."""
    pair = load_pair(root)
    names = list(pair.members)
    documents = edited(root, names, transition.edits)
    after = load_pair(root, {n: d.stack_file() for n, d in documents.items()})  # the written pair must be valid
    groups = {**_groups(pair), **_groups(after)}
    states: dict[str, StackPlan] = dict(initial) if initial else {p.stack: p for p in engine.plan_stacks(None, root)}
    results: list[StepResult] = []
    for step in transition.steps:
        result = StepResult(step)
        if step.optional:
            results.append(result)
            continue
        for effect in step.effects:
            states[effect.stack] = apply_effect(states[effect.stack], effect)
        if step.kind == "up" and step.stack is not None:
            member = after.members[step.stack]
            peers = {member.peer: states[member.peer]} if member.peer and member.peer in states else {}
            new = plan_file(root, documents[step.stack].stack_file(), peers)
            if new.error:
                result.problems.append(f"step `{step.command}`: {new.error}")
            else:
                if step.targets:
                    new = _targeted(states[step.stack], new, step.targets)
                result.changes = classify(states[step.stack], new, _locks(states.values()), groups, step.lifts)
                result.plan = new
                states[step.stack] = new
            result.problems += step_problems(result, transition)
        result.problems += _pair_problems(states, f"after `{step.command}`")
        results.append(result)
    return Simulation(transition, results, documents, states)


def settled_plans(
    root: Path,
    documents: Mapping[str, StackDocument],
    states: Mapping[str, StackPlan],
    pending: Iterable[str] = (),
) -> list[str]:
    """Re-plan every stack against its peer's state: a converged pair plans no change (``pending`` stacks, whose
    region is down, are not expected to converge yet)."""
    pair = load_pair(root, {n: d.stack_file() for n, d in documents.items()})
    problems = []
    for name, member in pair.members.items():
        if name in set(pending):
            continue
        peers = {member.peer: states[member.peer]} if member.peer and member.peer in states else {}
        again = plan_file(root, documents[name].stack_file(), peers)
        changed = [c for c in classify(states[name], again, {}, {}) if c.action != "unchanged"]
        problems += [f"{name}: a re-run would {c.action} {c.name} ({', '.join(c.keys)})" for c in changed]
    return problems


def render(sim: Simulation) -> str:
    """The offline diff and the runbook, step by step."""
    t = sim.transition
    lines = [f"drctl {t.name}", "", "stack files:"]
    lines += [f"  {e.describe()}" for e in t.edits]
    lines += ["", "runbook:"]
    for i, result in enumerate(sim.results, 1):
        s = result.step
        optional = " (optional)" if s.optional else ""
        lines.append(f"  {i}. [{s.kind}{optional}, ~{s.minutes} min] {s.command}")
        lines.append(f"     {s.what}")
        if s.kind == "up":
            counts: dict[str, int] = {}
            for c in result.changes:
                counts[c.action] = counts.get(c.action, 0) + 1
            lines.append("     diff: " + ", ".join(f"{n} {a}" for a, n in sorted(counts.items())))
            # By action and name: registration order varies from run to run (the SDK resolves Outputs concurrently).
            for c in sorted(result.changed, key=lambda c: (c.action, c.name)):
                keys = f" ({', '.join(c.keys)})" if c.keys else ""
                why = f" - {c.reason}" if c.reason else ""
                where = f" [{c.region}]" if c.region else ""
                lines.append(f"       {c.action:8} {c.short_type} {c.name}{keys}{where}{why}")
        lines.append(f"     verify: {s.verify}")
    total = t.minutes
    if t.rto_minutes is not None:
        verdict = "within" if total <= t.rto_minutes else "OVER"
        lines.append(f"\nexpected duration: {total} min ({verdict} the tier-1 RTO of {t.rto_minutes} min)")
    else:
        lines.append(f"\nexpected duration: {total} min")
    lines += [f"note: {n}" for n in t.notes]
    problems = sim.problems
    lines.append("")
    lines += [f"REFUSED: {p}" for p in problems] or [
        "safe: no stateful replacement or deletion, no blocked step, never two active stacks or two priority-1 origins"
    ]
    return "\n".join(lines)


def summary(changes: Sequence[Change]) -> dict[str, Any]:
    return {c.name: {"action": c.action, "keys": list(c.keys), "reason": c.reason} for c in changes}
