"""``drctl status | diff | promote | rebuild | release | failback | settle``: the DR lifecycle as config switches.

Each switch command checks the pair, computes the edits, replays the runbook offline (``lifecycle.simulate``), prints
the diff and the runbook, and writes the stack files only when the replay is safe (``--dry-run`` writes nothing).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from .lifecycle import newpair, simulate
from .lifecycle import transitions as lifecycle
from .lifecycle.pair import Pair, PairError, load_pair
from .lifecycle.transitions import Transition

GUID = r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
COMMANDS = ("status", "diff", "promote", "rebuild", "release", "failback", "settle", "init")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the lifecycle subcommands on drctl's parser."""
    sub.add_parser("status", help="the pair's lifecycle state (built, promoted, rebuilding, rebuilt)")
    diff = sub.add_parser("diff", help="what `pulumi up` of each stack would change now, offline, with state")
    diff.add_argument("stacks", nargs="*", help="stacks to diff (default: all)")
    promote = sub.add_parser("promote", help="the DR stack becomes active (writes the stack files)")
    how = promote.add_mutually_exclusive_group(required=True)
    how.add_argument("--forced", action="store_true", help="the active region is lost: Standalone/Forced")
    how.add_argument("--planned", action="store_true", help="both regions are up: Switchover/Planned, no data loss")
    promote.add_argument(
        "--storage-failover",
        action="store_true",
        help="with --forced: also fail the lost region's storage account over (refused for an account holding a "
        "WORM container)",
    )
    rebuild = sub.add_parser("rebuild", help="a lost region comes back as a standby: a new server generation")
    rebuild.add_argument("stack")
    release = sub.add_parser("release", help="let Pulumi forget a stack's stale server generations")
    release.add_argument("stack")
    sub.add_parser("failback", help="a planned promotion back to the rebuilt region")
    sub.add_parser("settle", help="record that the last runbook's pulumi up finished (new servers, promotions)")
    init = sub.add_parser("init", help="write a new pair's two stack files (its first deployment creates it)")
    init.add_argument("--workload", required=True, help="the workload's short name (2-8 lower-case letters, digits)")
    init.add_argument("--environment", required=True, help="the environment's short name (e.g. prod)")
    init.add_argument("--primary-region", required=True, help="the active region (e.g. uksouth)")
    init.add_argument("--dr-region", required=True, help="the DR region, usually the primary's pair (e.g. ukwest)")
    init.add_argument("--primary-stack", default="primary", help="the primary's stack name (default: primary)")
    init.add_argument("--dr-stack", default="dr", help="the DR stack's name (default: dr)")
    init.add_argument(
        "--admin-group", metavar="OBJECT_ID=NAME", help="the Entra group that administers PostgreSQL (its object id)"
    )
    init.add_argument("--alert-email", metavar="ADDRESS", help="who the DR alerts page")
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
            return _status(root)
        if args.command == "diff":
            return _diff(root, args.stacks)
        if args.command == "init":
            return _init(root, args)
        builders: dict[str, Callable[[Pair], Transition]] = {
            "promote": lambda p: lifecycle.promote(
                p, "forced" if args.forced else "planned", storage_failover=args.storage_failover
            ),
            "rebuild": lambda p: lifecycle.rebuild(p, args.stack),
            "release": lambda p: lifecycle.release(p, args.stack),
            "failback": lifecycle.failback,
            "settle": lifecycle.settle,
        }
        return switch(root, builders[args.command], args.dry_run, args.json)
    except PairError as exc:
        print(f"drctl {args.command}: {exc}", file=sys.stderr)
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
    for path in newpair.write_pair(root, new):
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


def _status(root: Path) -> int:
    pair = load_pair(root)
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


def switch(root: Path, build: Callable[[Pair], Transition], dry_run: bool, as_json: bool) -> int:
    pair = load_pair(root)
    transition = build(pair)
    sim = simulate.simulate(root, transition)
    if as_json:
        document = lifecycle.describe(sim.transition) | {
            "steps_diff": [simulate.summary(r.changed) for r in sim.results],
            "problems": sim.problems,
        }
        print(json.dumps(document, indent=2, default=str))
    else:
        print(simulate.render(sim))
    if sim.problems:
        print(f"drctl: {transition.name} refused: {len(sim.problems)} problem(s); nothing written", file=sys.stderr)
        return 1
    if dry_run:
        print("\n(dry run: no stack file written)")
        return 0
    for doc in sim.documents.values():
        if doc.text() != doc.path.read_text():
            doc.write()
            print(f"wrote {doc.path.name}")
    return 0


def _diff(root: Path, stacks: list[str]) -> int:
    """Each stack's program against its state (the plan of the same files): drift a `pulumi up` would push."""
    pair = load_pair(root)
    transition = Transition(
        "diff",
        (),
        tuple(lifecycle.up_step(name, minutes=0) for name in (stacks or list(pair.members))),
    )
    sim = simulate.simulate(root, transition)
    for result in sim.results:
        changed = result.changed
        print(f"stack {result.step.stack}: " + ("no change" if not changed else f"{len(changed)} change(s)"))
        for c in changed:
            print(f"  {c.action:8} {c.short_type} {c.name} ({', '.join(c.keys)}) {c.reason}")
    problems = sim.problems + simulate.settled_plans(root, sim.documents, sim.final)
    for p in problems:
        print(f"REFUSED: {p}")
    return 1 if problems or any(r.changed for r in sim.results) else 0
