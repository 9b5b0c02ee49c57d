"""``drctl status | diff | promote | rebuild | release | failback | settle | recover | checkpoint``: the DR lifecycle
as config switches.

Each switch command takes the project's lock, checks the pair, computes the edits, replays the runbook offline
(``lifecycle.simulate``) against the deployed state where ``--state`` gives it (else against the files), prints the
diff and the runbook, and writes the stack files as one transaction only when the replay is safe (``--dry-run``
writes nothing). ``recover`` finishes or rolls back a switch that was interrupted while writing.
``diff --base REF`` / ``--plan FILE`` compares the stack files with a git ref's (or a saved plan), for review.
With ``--json`` every command writes exactly one JSON document to stdout.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .engine import base as base_plans
from .engine import checkpoint
from .engine import programs as engine
from .engine.checkpoint import CheckpointError
from .lifecycle import newpair, simulate
from .lifecycle import transitions as lifecycle
from .lifecycle.pair import Pair, PairError, load_pair
from .lifecycle.simulate import DeployedState
from .lifecycle.transitions import Transition
from .report import plandiff
from .report.output import emit
from .report.schemas import STATUS_ID, SWITCH_ID
from .report.terminal import emit_report
from .stackfiles.edit import EditError
from .stackfiles.files import load_stack, project_name, stack_names
from .stackfiles.transaction import (
    TransactionError,
    check_writable,
    interrupted,
    project_lock,
    recover,
    refuse_if_interrupted,
    write_files,
)
from .stackfiles.yamlfile import read_bytes

GUID = r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"


def _deployed(root: Path, given: Sequence[tuple[str, Path]]) -> dict[str, DeployedState]:
    """Each ``--state STACK=FILE`` read as the stack's deployed state."""
    names = stack_names(root)
    project = project_name(root)
    found: dict[str, DeployedState] = {}
    for stack, path in given:
        if stack not in names:
            raise CheckpointError(f"--state {stack}={path}: no stack {stack!r} here; stacks: {', '.join(names)}")
        if stack in found:
            raise CheckpointError(f"--state {stack}: given twice")
        found[stack] = DeployedState(checkpoint.read(path, stack, project), str(path))
    return found


def command_line(args: argparse.Namespace) -> str:
    return "drctl " + " ".join(shlex.quote(a) for a in getattr(args, "argv", [args.command]))


def run(root: Path, args: argparse.Namespace) -> int:
    """Dispatch one lifecycle command; a refusal becomes one line on stderr and exit 2."""
    try:
        if args.command == "recover":
            for line in recover(root, args.how, command_line(args)):
                print(line)
            return 0
        if args.command == "checkpoint":
            return _checkpoint(root, args.stack, args.output)
        if args.command == "init":
            return _init(root, args)
        deployed = _deployed(root, args.state)
        if args.command == "status":
            return _status(root, deployed, args.json)
        if args.command == "diff":
            return _diff(root, args, deployed)
        builders: dict[str, Callable[[Pair], Transition]] = {
            "promote": lambda p: lifecycle.promote(
                p, "forced" if args.forced else "planned", storage_failover=args.storage_failover
            ),
            "rebuild": lambda p: lifecycle.rebuild(p, args.stack),
            "release": lambda p: lifecycle.release(p, args.stack),
            "failback": lifecycle.failback,
            "settle": lifecycle.settle,
        }
        return switch(root, builders[args.command], args.dry_run, args.json, deployed, command_line(args))
    except (PairError, TransactionError, CheckpointError, EditError, base_plans.BaseError) as exc:
        message = str(exc).removeprefix(f"{args.command}: ")  # a refusal names its command once
        print(f"drctl {args.command}: {message}", file=sys.stderr)
        return 2


def _init(root: Path, args: argparse.Namespace) -> int:
    """Write the new pair's stack files and say what to fill in and how to deploy it."""
    admin = newpair.PLACEHOLDER_GROUP, "sg-postgres-admins"
    if args.admin_group:
        object_id, _, name = str(args.admin_group).partition("=")
        if not re.fullmatch(GUID, object_id) or not name:
            raise PairError(f"--admin-group {args.admin_group!r}: expected OBJECT_ID=NAME (a GUID, the group's name)")
        admin = object_id, name
    new = newpair.NewPair(
        workload=args.workload,
        environment=args.environment,
        primary_region=args.primary_region,
        dr_region=args.dr_region,
        primary_stack=args.primary_stack,
        dr_stack=args.dr_stack,
        admin_object_id=admin[0],
        admin_name=admin[1],
        alert_email=args.alert_email or "dr-oncall@example.com",
    )
    with project_lock(root, command_line(args)):
        written = newpair.write_pair(root, new)
    for path in written:
        print(f"wrote {path.name}")
    todo = ["routing.origin_host (each stack)"]
    if not args.admin_group:
        todo.append("postgres.entra_admin (each stack)")
    if not args.alert_email:
        todo.append("alerts.email_receivers (each stack)")
    p, d = new.primary_stack, new.dr_stack
    print(f"set before the first deployment: {'; '.join(todo)} (marked CHANGE in the files)")
    print(
        f"then: drctl check; pulumi stack init {p}; pulumi stack init {d}; ./dev pulumi up --stack {p}; "
        f"./dev pulumi up --stack {d}; drctl settle (and the pulumi ups it prints)"
    )
    return 0


def _status(root: Path, deployed: Mapping[str, DeployedState], as_json: bool = False) -> int:
    problem = interrupted(root)
    try:
        pair = load_pair(root)
    except PairError as exc:
        if problem is None:
            raise
        if as_json:
            emit(json.dumps({"schema": STATUS_ID, "interrupted": problem, "error": str(exc)}, indent=2))
        else:
            print(f"interrupted: {problem}")
            print(f"pair: not judged while half-written ({exc})")
        return 1
    drift = _deployed_drift(root, pair, deployed)
    if as_json:
        emit(json.dumps(status_document(pair, problem, drift), indent=2))
        return 1 if problem is not None else 0
    if problem is not None:
        print(f"interrupted: {problem}")
    print(f"pair: {pair.status()}")
    for m in pair.members.values():
        pg = m.config.postgres
        source = f" of {pg.replica_of}" if pg.replica_of else ""
        retired = f"; retired: {', '.join(m.server_of(r) for r in pg.retired)}" if pg.retired else ""
        link = "; redis geo-secondary" if m.config.redis.geo_secondary else ""
        owner = "; owns the global layer" if m.config.owns_global else ""
        print(
            f"  {m.name:8} {m.config.role:7} {m.config.region:12} postgres {m.server} ({pg.create_as}{source}, "
            f"{pg.state}){retired}{link}{owner}"
        )
    for name, line in drift.items():
        print(f"  deployed {name} ({deployed[name].source}): {line}")
    if not deployed:
        print("deployed state: not given; the above is what the stack files say (--state STACK=FILE to compare)")
    return 1 if problem is not None else 0


def _deployed_drift(root: Path, pair: Pair, deployed: Mapping[str, DeployedState]) -> dict[str, str]:
    """Per stack given ``--state``: how its deployed state stands against its stack file, in one line."""
    if not deployed:
        return {}
    files = {p.stack: p for p in engine.plan_stacks(None, root)}
    found = simulate.drift(files, deployed)
    lines = {}
    for name, state in deployed.items():
        role = state.plan.outputs.get("role")
        declared = pair.members[name].config.role
        said = f"deployed role {role}, the file says {declared}" if role and role != declared else ""
        changes = found.get(name, [])
        command = f"drctl diff {name} --state {name}={state.source}"
        gap = f"{len(changes)} resource(s) differ from its stack file: {command}" if changes else "matches its file"
        lines[name] = "; ".join(x for x in (said, gap) if x)
    return lines


def status_document(
    pair: Pair, interrupted_by: str | None = None, drift: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """``drctl status --json``."""
    stacks = []
    for m in pair.members.values():
        pg = m.config.postgres
        stacks.append(
            {
                "stack": m.name,
                "role": m.config.role,
                "region": m.config.region,
                "owns_global": m.config.owns_global,
                "postgres": {
                    "server": m.server,
                    "create_as": pg.create_as,
                    "replica_of": pg.replica_of,
                    "state": pg.state,
                    "retired": [m.server_of(r) for r in pg.retired],
                },
                "redis_geo_secondary": m.config.redis.geo_secondary,
                "deployed": (drift or {}).get(m.name),
            }
        )
    status = pair.status()
    return {
        "schema": STATUS_ID,
        "state": status.split(" ", 1)[0],
        "status": status,
        "interrupted": interrupted_by,
        "stacks": stacks,
    }


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every stack file's bytes, read once: what the switch plans from and what it must find when it writes."""
    return {name: read_bytes(root / f"Pulumi.{name}.yaml") for name in stack_names(root)}


def switch(
    root: Path,
    build: Callable[[Pair], Transition],
    dry_run: bool,
    as_json: bool,
    deployed: Mapping[str, DeployedState] | None = None,
    command: str = "drctl switch",
) -> int:
    """Plan the switch under the project's lock from one read of the files; write them as one transaction only
    when the replay is safe. With ``as_json``, one document on stdout and nothing after it."""
    with project_lock(root, command):
        refuse_if_interrupted(root)
        raw = _snapshot(root)
        pair = load_pair(root, {n: load_stack(root, n, b) for n, b in raw.items()})
        transition = build(pair)
        if not dry_run:
            check_writable(root, [root / f"Pulumi.{s}.yaml" for s in sorted({e.stack for e in transition.edits})])
        sim = simulate.simulate(root, transition, deployed=deployed, raw=raw)
        written: list[str] = []
        if not sim.problems and not dry_run:
            written = [path.name for path in write_files(root, list(sim.documents.values()), command)]
    if as_json:  # one document: the diff, the runbook and what was written, nothing after it
        document = {"schema": SWITCH_ID, **lifecycle.describe(sim.transition)} | {
            "baseline": sim.baselines,
            "drift": {n: simulate.summary(c) for n, c in sim.drift.items()},
            "steps_diff": [simulate.summary(r.changed) for r in sim.results],
            "problems": sim.problems,
            "dry_run": dry_run,
            "written": written,
        }
        emit(json.dumps(document, indent=2, default=str))
    else:
        emit_report(simulate.render(sim))
    if sim.problems:
        print(f"drctl: {transition.name} refused: {len(sim.problems)} problem(s); nothing written", file=sys.stderr)
        return 1
    if not as_json:
        emit("\n(dry run: no stack file written)" if dry_run else "\n".join(f"wrote {name}" for name in written))
    return 0


def _diff(root: Path, args: argparse.Namespace, deployed: Mapping[str, DeployedState]) -> int:
    """``--base REF`` / ``--plan FILE``: the stack files against a ref's (or a saved plan); without either, each
    stack's program against its deployed state (``--state``), else against its own file's plan."""
    stacks: Sequence[str] = args.stacks
    if args.base is not None or args.plan is not None:
        if deployed:
            raise PairError("--state compares with what is deployed, --base/--plan with a review's base: use one")
        if args.base is not None:
            before, commit = base_plans.plans_at(root, args.base)
            label = f"{args.base} ({commit[:12]}) -> the working tree"
        else:
            before, label = base_plans.read_plan_file(args.plan), f"{args.plan} -> the working tree"
        after = base_plans.as_recorded(engine.plan_stacks(None, root))
        diff = plandiff.compare(before, after, label, stacks or None)
    else:
        diff = _state_diff(root, stacks, deployed)
    if args.json:
        emit(json.dumps(plandiff.document(diff), indent=2))
    else:
        emit_report(plandiff.text(diff))
    return diff.exit_code


def _state_diff(root: Path, stacks: Sequence[str], deployed: Mapping[str, DeployedState]) -> plandiff.Diff:
    """Each stack's ``pulumi up`` against its deployed state, or (no ``--state``) against its own file's plan, which
    shows only what the program adds to the file: never a verification of what runs in Azure."""
    refuse_if_interrupted(root)
    pair = load_pair(root)
    unknown = [s for s in stacks if s not in pair.members]
    if unknown:
        raise PairError(f"no stack {unknown[0]!r}; stacks: {', '.join(pair.members)}")
    names = list(stacks) or list(pair.members)
    transition = Transition("diff", (), tuple(lifecycle.up_step(name, minutes=0) for name in names))
    sim = simulate.simulate(root, transition, deployed=deployed)
    problems = sim.problems + simulate.settled_plans(root, sim.documents, sim.final)
    changes = {str(r.step.stack): r.changes for r in sim.results}
    label = "; ".join(
        f"{n} against its deployed state ({deployed[n].source})" if n in deployed else f"{n} against its stack file"
        for n in names
    )
    diff = plandiff.from_changes(label, changes, problems)
    diff.notes += [
        f"{n}: no --state, so this is the program against its own file and says nothing about what is deployed; "
        f"give --state {n}=FILE (`pulumi stack export --stack {n} > FILE`)"
        for n in names
        if n not in deployed
    ]
    return diff


def _checkpoint(root: Path, stack: str, output: str) -> int:
    """The stack's offline plan (against its peer's) as a ``pulumi stack export`` document."""
    plans = {p.stack: p for p in engine.plan_stacks([stack], root)}
    plan = plans.get(stack)
    if plan is None or plan.error:
        raise PairError(plan.error if plan and plan.error else f"no stack {stack!r}")
    document: dict[str, Any] = checkpoint.write(plan)
    text = json.dumps(document, indent=2) + "\n"
    if output == "-":
        emit(text.rstrip("\n"))
        return 0
    try:
        Path(output).write_text(text)
    except OSError as exc:
        raise CheckpointError(f"-o {output}: cannot be written ({exc.strerror})") from None
    return 0
