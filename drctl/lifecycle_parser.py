"""The lifecycle commands' arguments (``drctl status | diff | promote | ...``), registered on drctl's parser.

Kept apart from ``lifecycle_commands``, which runs them: every drctl invocation builds the whole parser, and a
``check`` should not import the lifecycle's replay, the Automation API and the runbooks it never uses (their
import is ~60 ms of a check's start).
"""

from __future__ import annotations

import argparse
from pathlib import Path

SWITCHES = ("promote", "rebuild", "release", "failback", "settle")
COMMANDS = ("status", "diff", *SWITCHES, "init", "recover", "checkpoint")
STATE_HELP = (
    "the deployed state of STACK: the output of `pulumi stack export --stack STACK` (repeat per stack); without "
    "it the baseline is the stack files"
)


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
    sub.add_parser("failback", help="a planned promotion back to the stack that owns the global layer")
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
    for name in SWITCHES:
        parser = sub.choices[name]
        parser.add_argument("--dry-run", action="store_true", help="print the diff and runbook, write nothing")
        parser.add_argument("--json", action="store_true", help="machine-readable diff and runbook")
    for name in ("status", "diff", *SWITCHES):
        sub.choices[name].add_argument(
            "--state", action="append", default=[], metavar="STACK=FILE", type=_state_arg, help=STATE_HELP
        )
    again = sub.add_parser("recover", help="finish or roll back a switch interrupted while writing the stack files")
    again.add_argument("how", choices=("finish", "rollback"), help="write every file's new version, or its old one")
    export = sub.add_parser(
        "checkpoint", help="a stack's offline plan as a `pulumi stack export` document (a --state baseline)"
    )
    export.add_argument("stack")
    export.add_argument("-o", "--output", default="-", help="file to write ('-' for stdout, the default)")
    for name in COMMANDS:
        sub.choices[name].set_defaults(handler=_run)


def _state_arg(value: str) -> tuple[str, Path]:
    stack, sep, file = value.partition("=")
    if not sep or not stack or not file:
        raise argparse.ArgumentTypeError(f"{value!r}: expected STACK=FILE, e.g. dr=dr-state.json")
    return stack, Path(file)


def _run(args: argparse.Namespace) -> int:
    from . import lifecycle_commands  # the replay and the runbooks: imported by the commands that use them

    return lifecycle_commands.run(args.root, args)
