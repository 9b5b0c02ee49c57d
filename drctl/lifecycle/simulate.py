"""Offline diff with state: replay a switch's runbook step by step against what Azure holds, and classify what
each ``pulumi up`` does.

The state of each stack starts as the plan of its current stack file (what was deployed), with the facts Azure
holds beside it (``lifecycle.refresh``). Each imperative step changes that state the way Azure does
(``azure_dr.components.facts.azure_transitions``): a switchover demotes the old primary, a Cosmos failover moves
the write region, an unlink forgets the link... so each ``pulumi up`` plans the stack's new file against its peer's
state *at that moment* and is diffed against what Azure will hold, resource by resource: unchanged, update (which
inputs), replace (which inputs, per azure-native-replace.json), create, import (adopted), delete, forget
(retain_on_delete), blocked (by protect or by which lock, locks being inherited by child resources), refused (a
nested create-only input). Every write is checked against what Azure refuses, no step may write into (or invoke
into) a region that is down, and after every step the deployed pair must still be valid: one active stack at most,
traffic at one origin, sent to a region only once its data is writable.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from azure_dr.components.facts.recovery import STATEFUL_TYPES
from azure_dr.components.naming import Names
from azure_dr.components.stack.config import server_geo_backup, server_retention_days

from ..engine import programs as engine
from ..engine.changes import Change, classify, locks_of
from ..engine.recording import RecordedResource, StackPlan
from ..report.render import LOCK
from ..stackfiles.edit import StackDocument, edited
from ..stackfiles.files import StackFile, load_stack
from . import refresh
from .pair import Pair, load_pair
from .transitions import ORIGIN_TYPES, Ref, Step, Transition, resolved


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
    baselines: dict[str, str] = field(default_factory=dict)
    """Per stack, what its steps were judged against: ``files`` or the ``--state`` file it was read from."""
    drift: dict[str, list[Change]] = field(default_factory=dict)
    """Per stack given ``--state``: what its ``pulumi up`` would change before the switch (deployed vs files)."""

    @property
    def problems(self) -> list[str]:
        return [p for r in self.results for p in r.problems]

    @property
    def pending(self) -> set[str]:
        """Stacks that took only a targeted up (their region is down): their full up waits for the rebuild."""
        return {r.step.stack for r in self.results if r.step.targets and r.step.stack}


def _targeted(state: StackPlan, new: StackPlan, types: Sequence[str]) -> StackPlan:
    """``pulumi up --target``: only the targeted resources take their new inputs; every other resource keeps
    its state (the program's outputs are still exported)."""
    chosen = {r.urn: r for r in new.resources if r.type in types}
    resources = [chosen.pop(r.urn, r) for r in state.resources]
    return replace(new, resources=resources + list(chosen.values()))


def _groups(pair: Pair) -> dict[str, str]:
    groups: dict[str, str] = {}
    for m in pair.members.values():
        groups[m.names.resource_group] = m.config.region
        groups[Names(m.config.workload, m.config.environment, m.config.region).global_resource_group] = "global"
    return groups


def plan_file(
    root: Path, stack: StackFile, peer_states: Mapping[str, StackPlan], down: Iterable[str] = ()
) -> StackPlan:
    """Plan one stack file against its peer's state, with the regions in ``down`` answering no invoke."""
    return engine.run_stack(stack, {n: p.outputs for n, p in peer_states.items()}, root, unreachable=tuple(down))


def created_backups(pair: Pair) -> dict[str, dict[str, Any]]:
    """Each server generation's backup settings as its config says it was created (what Azure keeps)."""
    found = {}
    for m in pair.members.values():
        pg = m.config.postgres
        for settings in (pg, *pg.retired):
            found[m.server_of(settings)] = {
                "backupRetentionDays": float(server_retention_days(settings, m.config.objectives)),
                "geoRedundantBackup": server_geo_backup(settings),
            }
    return found


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


def step_problems(result: StepResult, down: Iterable[str]) -> list[str]:
    label = f"step `{result.step.command}`"
    lost = set(down)
    problems = []
    for c in result.changes:
        stateful = c.type in STATEFUL_TYPES
        if c.action == "blocked":
            problems.append(f"{label}: {c.name} {c.reason}")
        elif c.action == "refused":
            problems.append(f"{label}: {c.name} changes {', '.join(c.keys)}: {c.reason}")
        elif stateful and c.action in ("replace", "delete"):
            problems.append(f"{label}: would {c.action} stateful {c.name} ({', '.join(c.keys)})")
        if c.action not in ("unchanged", "forget", "import") and c.region in lost:
            problems.append(f"{label}: writes into the failed region {c.region}: {c.action} {c.name}")
    return problems


def _real_urn(plan: StackPlan, resource: RecordedResource) -> str:
    """The URN Pulumi gives the resource: the mock runtime keeps only the parent's own type in the qualified type,
    the engine the whole chain of parent types below the stack."""
    by_urn = {r.urn: r for r in plan.resources}
    types, parent = [resource.type], resource.parent
    while parent in by_urn:
        types.insert(0, by_urn[parent].type)
        parent = by_urn[parent].parent
    return f"urn:pulumi:{plan.stack}::{plan.project}::{'$'.join(types)}::{resource.name}"


def _named(resource: RecordedResource, part: str) -> bool:
    physical = {str(v) for k, v in resource.inputs.items() if k.endswith("Name") or k == "name"}
    return part in resource.name or part in physical


def _resolve(ref: Ref, states: Mapping[str, StackPlan]) -> str | None:
    plan = states.get(ref.stack)
    if plan is None:
        return None
    found = [r for r in plan.resources if r.type == ref.type and r.custom and _named(r, ref.part)]
    if not found:
        return None
    if ref.kind == "urn":
        return _real_urn(plan, found[0])
    locks = [r for r in plan.of_type(LOCK) if r.inputs.get("scope") == found[0].id]
    if not locks:
        return None
    key = "lockName" if ref.kind == "lock-name" else "notes"
    value = locks[0].inputs.get(key)
    return str(value) if value else None


def resolve(transition: Transition, states: Mapping[str, StackPlan]) -> tuple[Transition, list[str]]:
    """The transition with every URN and lock name of its commands read from the stacks' state."""
    problems: list[str] = []
    steps = []
    for step in transition.steps:
        argv = []
        for command in step.commands:
            words = []
            for arg in command:
                if isinstance(arg, str):
                    words.append(arg)
                    continue
                value = _resolve(arg, states)
                if value is None:
                    problems.append(f"step `{step.command}`: {arg.placeholder()} is not in {arg.stack}'s state")
                words.append(value if value is not None else arg.placeholder())
            argv.append(words)
        steps.append(resolved(step, argv))
    return replace(transition, steps=tuple(steps)), problems


@dataclass(frozen=True)
class DeployedState:
    """A stack's deployed state (``--state STACK=FILE``): the checkpoint read as a plan, and where it came from."""

    plan: StackPlan
    source: str


def drift(files: Mapping[str, StackPlan], deployed: Mapping[str, DeployedState]) -> dict[str, list[Change]]:
    """What each deployed stack's ``pulumi up`` of its unchanged file would do: drift, hand edits, Azure's own
    changes, classified like every step."""
    plans = {**files, **{n: d.plan for n, d in deployed.items()}}
    found: dict[str, list[Change]] = {}
    for name, state in deployed.items():
        if name in files:
            changes = classify(state.plan, files[name], locks_of(plans.values()), {})
            found[name] = [c for c in changes if c.action != "unchanged"]
    return found


def simulate(
    root: Path,
    transition: Transition,
    *,
    grown: bool = False,
    deployed: Mapping[str, DeployedState] | None = None,
    raw: Mapping[str, bytes] | None = None,
) -> Simulation:
    """Replay ``transition`` on the stack files (``raw``: their bytes as read by the command) against the Azure
    model; nothing is written. Each stack starts from its deployed state where ``deployed`` has one, else from the
    plan of its file (a stack whose region is down: as it stands in Azure; engine.plan_stacks). ``grown``: every
    disk has autogrown once since it was deployed."""
    pair = load_pair(root, {n: load_stack(root, n, b) for n, b in raw.items()} if raw else None)
    names = list(pair.members)
    documents = edited(root, names, transition.edits, raw)
    after = load_pair(root, {n: d.stack_file() for n, d in documents.items()})  # the written pair must be valid
    groups = {**_groups(pair), **_groups(after)}
    files = {p.stack: p for p in engine.plan_stacks(None, root)}
    deployed = dict(deployed or {})
    states: dict[str, StackPlan] = {**files, **{n: d.plan for n, d in deployed.items()}}
    baselines = {n: deployed[n].source if n in deployed else "files" for n in names}
    down = {m.config.region for m in after.members.values() if m.config.unreachable}
    if transition.failed_region is not None:
        down.add(transition.failed_region)
    transition, unresolved = resolve(transition, states)
    world = refresh.start(states, down, grown, created_backups(pair))
    refresh.traffic_problems(world, "before the first step")
    results: list[StepResult] = []
    for index, step in enumerate(transition.steps):
        result = StepResult(step)
        if index == 0:
            result.problems += unresolved
        if step.optional:
            results.append(result)
            continue
        for effect in step.effects:
            refused = refresh.apply(world, effect, forced=transition.failed_region is not None)
            result.problems += [f"step `{step.command}`: {p}" for p in refused]
        if step.kind == "up" and step.stack is not None:
            _plan_up(root, result, world, after, documents, groups)
        result.problems += _pair_problems(world.states, f"after `{step.command}`")
        result.problems += refresh.traffic_problems(world, f"after `{step.command}`")
        results.append(result)
    if results:
        results[-1].problems += [f"after the runbook: {p}" for p in refresh.end_problems(world)]
    return Simulation(transition, results, documents, world.states, baselines, drift(files, deployed))


def _plan_up(
    root: Path,
    result: StepResult,
    world: refresh.World,
    after: Pair,
    documents: Mapping[str, StackDocument],
    groups: Mapping[str, str],
) -> None:
    """One ``pulumi up``: plan the stack's new file against its peer's state, diff it against what Azure holds,
    and check every write against what Azure refuses."""
    step = result.step
    assert step.stack is not None
    states = world.states
    member = after.members[step.stack]
    peers = {member.peer: states[member.peer]} if member.peer and member.peer in states else {}
    new = plan_file(root, documents[step.stack].stack_file(), peers, world.down)
    if new.error:
        result.problems.append(f"step `{step.command}`: {new.error}")
        return
    if step.targets:
        new = _targeted(states[step.stack], new, step.targets)
    result.changes = classify(states[step.stack], new, locks_of(states.values()), groups, step.lifts)
    before = {r.urn: r for r in states[step.stack].resources}
    planned = {r.urn: r for r in new.resources}
    for c in result.changes:
        for why in refresh.write_refusals(world, c.action, before.get(c.urn), planned.get(c.urn)):
            result.problems.append(f"step `{step.command}`: Azure refuses {c.action} {c.name}: {why}")
    result.plan = new
    result.problems += step_problems(result, world.down)
    states[step.stack] = refresh.after_up(world, step.stack, new)


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
        if name in set(pending) or member.config.unreachable:  # its region is down: it converges at the rebuild
            continue
        peers = {member.peer: states[member.peer]} if member.peer and member.peer in states else {}
        again = plan_file(root, documents[name].stack_file(), peers)
        changed = [c for c in classify(states[name], again, {}, {}) if c.action != "unchanged"]
        problems += [f"{name}: a re-run would {c.action} {c.name} ({', '.join(c.keys)})" for c in changed]
    return problems


def baseline_lines(baselines: Mapping[str, str], found: Mapping[str, Sequence[Change]]) -> list[str]:
    """What the diff was judged against, said plainly; with ``--state``, the drift found."""
    given = {n: b for n, b in baselines.items() if b != "files"}
    files = [n for n, b in baselines.items() if b == "files"]
    lines = []
    if given:
        lines.append("baseline: deployed state (" + ", ".join(f"{n}: {b}" for n, b in given.items()) + ")")
        for name in given:
            changes = found.get(name, [])
            lines.append(
                f"  {name}: no drift from its stack file"
                if not changes
                else f"  {name}: drift, {len(changes)} resource(s) differ from its stack file (its first up changes "
                "them):"
            )
            lines += [f"    {_change_line(c)}" for c in changes]
    if files:
        lines.append(
            f"baseline: the stack files for {', '.join(files)} (no --state): judged against the plan of the files, "
            "not what is deployed; give `--state STACK=FILE` (`pulumi stack export --stack STACK > FILE`) to plan "
            "against Azure"
        )
    return lines


def _change_line(c: Change) -> str:
    keys = f" ({', '.join(c.keys)})" if c.keys else ""
    why = f" - {c.reason}" if c.reason else ""
    where = f" [{c.region}]" if c.region else ""
    return f"{c.action:8} {c.short_type} {c.name}{keys}{where}{why}"


def render(sim: Simulation) -> str:
    """The offline diff and the runbook, step by step."""
    t = sim.transition
    lines = [f"drctl {t.name}", "", *baseline_lines(sim.baselines, sim.drift), "", "stack files:"]
    lines += [f"  {e.describe()}" for e in t.edits]
    lines += ["", "runbook:"]
    for i, result in enumerate(sim.results, 1):
        s = result.step
        optional = " (optional)" if s.optional else ""
        commands = [shlex.join(argv) for argv in s.argv]
        lines.append(f"  {i}. [{s.kind}{optional}, ~{s.minutes} min] {commands[0]}")
        lines += [f"     {command}" for command in commands[1:]]
        lines.append(f"     {s.what}")
        if s.kind == "up":
            counts: dict[str, int] = {}
            for c in result.changes:
                counts[c.action] = counts.get(c.action, 0) + 1
            lines.append("     diff: " + ", ".join(f"{n} {a}" for a, n in sorted(counts.items())))
            # By action and name: registration order varies from run to run (the SDK resolves Outputs concurrently).
            lines += [f"       {_change_line(c)}" for c in sorted(result.changed, key=lambda c: (c.action, c.name))]
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
        "safe: no stateful replacement or deletion, no blocked step, nothing Azure refuses, never two active stacks, "
        "traffic at one origin and only where the data is writable"
    ]
    return "\n".join(lines)


def summary(changes: Sequence[Change]) -> dict[str, Any]:
    return {c.name: {"action": c.action, "keys": list(c.keys), "reason": c.reason} for c in changes}
