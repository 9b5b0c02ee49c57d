"""``drctl status | diff | promote | rebuild | release | failback | settle``: the DR lifecycle as config switches.

Each switch command checks the pair, computes the edits, replays the runbook offline (``lifecycle.simulate``), prints
the diff and the runbook, and writes the stack files only when the replay is safe (``--dry-run`` writes nothing).
``diff --base REF`` / ``--plan FILE`` compares the stack files with a git ref's (or a saved plan), for review.
With ``--json`` every command writes exactly one JSON document to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .engine import base as base_plans
from .engine import programs as engine
from .lifecycle import simulate
from .lifecycle import transitions as lifecycle
from .lifecycle.pair import Pair, PairError, load_pair
from .lifecycle.transitions import Transition
from .report import plandiff
from .report.output import emit

STATUS_SCHEMA = "drctl-status/v1"
SWITCH_SCHEMA = "drctl-switch/v1"

COMMANDS = ("status", "diff", "promote", "rebuild", "release", "failback", "settle")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the lifecycle subcommands on drctl's parser."""
    status = sub.add_parser("status", help="the pair's lifecycle state (built, promoted, rebuilding, rebuilt)")
    status.add_argument("--json", action="store_true", help="one JSON document: the state and each stack")
    diff = sub.add_parser(
        "diff", help="what each resource does: create, update, replace, delete or same (--base REF for a review)"
    )
    diff.add_argument("stacks", nargs="*", help="stacks to diff (default: all)")
    against = diff.add_mutually_exclusive_group()
    against.add_argument("--base", metavar="REF", help="compare with the stack files (and library) at a git ref")
    against.add_argument("--plan", metavar="FILE", help="compare with a saved `drctl plan --json` ('-': stdin)")
    diff.add_argument("--json", action="store_true", help="one JSON document (schema: drctl schema diff)")
    promote = sub.add_parser("promote", help="the DR stack becomes active (writes the stack files)")
    how = promote.add_mutually_exclusive_group(required=True)
    how.add_argument("--forced", action="store_true", help="the active region is lost: Standalone/Forced")
    how.add_argument("--planned", action="store_true", help="both regions are up: Switchover/Planned, no data loss")
    rebuild = sub.add_parser("rebuild", help="a lost region comes back as a standby: a new server generation")
    rebuild.add_argument("stack")
    release = sub.add_parser("release", help="let Pulumi forget a stack's stale server generations")
    release.add_argument("stack")
    sub.add_parser("failback", help="a planned promotion back to the rebuilt region")
    sub.add_parser("settle", help="record that the last runbook's pulumi up finished (new servers, promotions)")
    for name in ("promote", "rebuild", "release", "failback", "settle"):
        parser = sub.choices[name]
        parser.add_argument("--dry-run", action="store_true", help="print the diff and runbook, write nothing")
        parser.add_argument("--json", action="store_true", help="machine-readable diff and runbook")
    for name in COMMANDS:
        sub.choices[name].set_defaults(handler=lambda args: run(args.root, args))


def run(root: Path, args: argparse.Namespace) -> int:
    """Dispatch one lifecycle command; PairError becomes one line on stderr and exit 2."""
    try:
        if args.command == "status":
            return _status(root, args.json)
        if args.command == "diff":
            return _diff(root, args)
        builders: dict[str, Callable[[Pair], Transition]] = {
            "promote": lambda p: lifecycle.promote(p, "forced" if args.forced else "planned"),
            "rebuild": lambda p: lifecycle.rebuild(p, args.stack),
            "release": lambda p: lifecycle.release(p, args.stack),
            "failback": lifecycle.failback,
            "settle": lifecycle.settle,
        }
        return switch(root, builders[args.command], args.dry_run, args.json)
    except (PairError, base_plans.BaseError) as exc:
        print(f"drctl {args.command}: {exc}", file=sys.stderr)
        return 2


def _status(root: Path, as_json: bool = False) -> int:
    pair = load_pair(root)
    if as_json:
        emit(json.dumps(status_document(pair), indent=2))
        return 0
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
    return 0


def status_document(pair: Pair) -> dict[str, Any]:
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
            }
        )
    status = pair.status()
    return {"schema": STATUS_SCHEMA, "state": status.split(" ", 1)[0], "status": status, "stacks": stacks}


def switch(root: Path, build: Callable[[Pair], Transition], dry_run: bool, as_json: bool) -> int:
    pair = load_pair(root)
    transition = build(pair)
    sim = simulate.simulate(root, transition)
    written: list[str] = []
    if not sim.problems and not dry_run:
        for doc in sim.documents.values():
            if doc.text() != doc.path.read_text():
                doc.write()
                written.append(doc.path.name)
    if as_json:  # one document: the diff, the runbook and what was written, nothing after it
        document = {"schema": SWITCH_SCHEMA, **lifecycle.describe(transition)} | {
            "steps_diff": [simulate.summary(r.changed) for r in sim.results],
            "problems": sim.problems,
            "dry_run": dry_run,
            "written": written,
        }
        emit(json.dumps(document, indent=2, default=str))
    else:
        print(simulate.render(sim))
    if sim.problems:
        print(f"drctl: {transition.name} refused: {len(sim.problems)} problem(s); nothing written", file=sys.stderr)
        return 1
    if not as_json:
        print("\n(dry run: no stack file written)" if dry_run else "\n".join(f"wrote {name}" for name in written))
    return 0


def _diff(root: Path, args: argparse.Namespace) -> int:
    """``--base REF`` / ``--plan FILE``: the stack files against a ref's (or a saved plan); without either, each
    stack's program against its state (the plan of the same files): drift a ``pulumi up`` would push."""
    stacks: Sequence[str] = args.stacks
    if args.base is not None or args.plan is not None:
        if args.base is not None:
            before, commit = base_plans.plans_at(root, args.base)
            label = f"{args.base} ({commit[:12]}) -> the working tree"
        else:
            before, label = base_plans.read_plan_file(args.plan), f"{args.plan} -> the working tree"
        after = base_plans.as_recorded(engine.plan_stacks(None, root))
        diff = plandiff.compare(before, after, label, stacks or None)
    else:
        diff = _state_diff(root, stacks)
    emit(json.dumps(plandiff.document(diff), indent=2) if args.json else plandiff.text(diff))
    return diff.exit_code


def _state_diff(root: Path, stacks: Sequence[str]) -> plandiff.Diff:
    pair = load_pair(root)
    transition = Transition(
        "diff",
        (),
        tuple(
            lifecycle.Step("up", name, f"pulumi up --stack {name}", f"{name} as its stack file says", "", 0)
            for name in (stacks or list(pair.members))
        ),
    )
    sim = simulate.simulate(root, transition)
    problems = sim.problems + simulate.settled_plans(root, sim.documents, sim.final)
    changes = {str(r.step.stack): r.changes for r in sim.results}
    return plandiff.from_changes("the state (each stack's plan of its current file)", changes, problems)
