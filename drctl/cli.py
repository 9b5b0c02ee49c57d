"""``drctl``: the offline tooling. ``plan`` runs the program of each stack under the mock runtime."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from drctl import engine, posture, render
from drctl.recording import StackPlan
from drctl.stackfiles import load_stack


def _root(value: str) -> Path:
    root = Path(value).resolve()
    if not (root / "Pulumi.yaml").exists():
        raise argparse.ArgumentTypeError(f"{root} has no Pulumi.yaml")
    return root


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="drctl", description="Offline DR tooling for the azure-dr stacks.")
    parser.add_argument("--root", type=_root, default=_root("."), help="project directory (default: .)")
    sub = parser.add_subparsers(dest="command", required=True)
    plan = sub.add_parser("plan", help="render each stack's resources and DR settings, no cloud needed")
    plan.add_argument("stacks", nargs="*", help="stacks to plan (default: all, peers first)")
    plan.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _posture(root: Path, plans: Sequence[StackPlan]) -> tuple[str, list[posture.ServicePosture]]:
    judge = posture.objectives_stack(plans)
    if judge is None:
        return "", []
    config = posture.config_of(load_stack(root, judge.stack))
    stacks = ", ".join(p.stack for p in plans if p.error is None)
    return f"DR posture ({stacks}; objectives of {judge.stack})", posture.posture(plans, config)


def cmd_plan(root: Path, stacks: Sequence[str], as_json: bool) -> int:
    plans = engine.plan_stacks(stacks or None, root)
    title, rows = _posture(root, plans)
    if as_json:
        document = {"stacks": render.plan_json(plans), "posture": [r.as_dict() for r in rows]}
        print(json.dumps(document, indent=2, default=str))
    else:
        print("\n\n".join(render.plan_text(p) for p in plans))
        if rows:
            print("\n" + posture.posture_text(rows, title))
    failed = [p for p in plans if p.error]
    for p in failed:
        print(f"drctl: stack {p.stack}: {p.error}", file=sys.stderr)
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "plan":
            return cmd_plan(args.root, args.stacks, args.json)
    except FileNotFoundError as exc:
        print(f"drctl: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
