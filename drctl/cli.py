"""``drctl``: the offline tooling. ``plan`` runs the program of each stack under the mock runtime."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from components.config import ConfigError
from drctl import check, drill, engine, posture, render
from drctl.analyzer import PolicyPackError
from drctl.recording import StackPlan
from drctl.sarif import to_sarif
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
    plan.add_argument("--check", action="store_true", help="then run the policy pack over the same plans")
    check = sub.add_parser("check", help="run the policy pack over each stack's offline plan, as CI does")
    check.add_argument("stacks", nargs="*", help="stacks to check (default: all, peers first)")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.add_argument("--sarif", metavar="FILE", help="also write SARIF 2.1.0 (for GitHub code scanning)")
    check.add_argument(
        "--policy-config",
        metavar="FILE",
        type=Path,
        help="policy config JSON, as for `pulumi preview --policy-pack-config`",
    )
    thresholds = sub.add_parser("policy-config", help="policy thresholds from a stack's objectives (JSON)")
    thresholds.add_argument("stack")
    drill.add_parser(sub)
    return parser


def _posture(root: Path, plans: Sequence[StackPlan]) -> tuple[str, list[posture.ServicePosture]]:
    judge = posture.objectives_stack(plans)
    if judge is None:
        return "", []
    config = posture.config_of(load_stack(root, judge.stack))
    stacks = ", ".join(p.stack for p in plans if p.error is None)
    return f"DR posture ({stacks}; objectives of {judge.stack})", posture.posture(plans, config)


def _retention(root: Path, plans: Sequence[StackPlan]) -> posture.RetentionPosture:
    judge = posture.objectives_stack(plans)
    assert judge is not None  # only called when the posture has rows
    return posture.long_term_retention(plans, posture.config_of(load_stack(root, judge.stack)))


def cmd_plan(root: Path, stacks: Sequence[str], as_json: bool) -> int:
    plans = engine.plan_stacks(stacks or None, root)
    title, rows = _posture(root, plans)
    if as_json:
        document: dict[str, Any] = {"stacks": render.plan_json(plans), "posture": [r.as_dict() for r in rows]}
        if rows:
            document["long_term_retention"] = _retention(root, plans).as_dict()
        print(json.dumps(document, indent=2, default=str))
    else:
        print("\n\n".join(render.plan_text(p) for p in plans if p.error is None))
        if rows:
            print("\n" + posture.posture_text(rows, title))
            print(posture.retention_text(_retention(root, plans)))
    failed = [p for p in plans if p.error]
    for p in failed:
        print(f"drctl: stack {p.stack}: {p.error}", file=sys.stderr)
    return 1 if failed else 0


def cmd_check(
    root: Path,
    stacks: Sequence[str],
    as_json: bool = False,
    sarif_path: str | None = None,
    policy_config: Path | None = None,
    plans: Sequence[StackPlan] | None = None,
) -> int:
    """Run the pack over the plans; exit 1 on any mandatory violation or refused config."""
    plans = plans if plans is not None else engine.plan_stacks(stacks or None, root)
    config = _read_policy_config(policy_config)
    objectives = {p.stack: posture.config_of(load_stack(root, p.stack)) for p in plans if p.error is None}
    report = check.check_plans(plans, root / "policies", config, objectives)
    if sarif_path:
        sources = {p.stack: f"Pulumi.{p.stack}.yaml" for p in plans}
        Path(sarif_path).write_text(json.dumps(to_sarif(report, sources), indent=2))
    if as_json:
        print(json.dumps(check.report_json(plans, report), indent=2))
    else:
        print(check.report_text(plans, report))
    return 1 if report.mandatory or any(p.error for p in plans) else 0


class PolicyConfigError(ValueError):
    """A policy config file drctl cannot read."""


def _read_policy_config(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise PolicyConfigError(f"--policy-config {path}: {exc}") from None
    if not isinstance(config, dict):
        raise PolicyConfigError(f"--policy-config {path}: expected a JSON object of rule id -> settings")
    return config


def cmd_policy_config(root: Path, stack: str) -> int:
    """The thresholds a stack's objectives imply, for ``pulumi preview --policy-pack-config``."""
    print(json.dumps(check.objectives_config(posture.config_of(load_stack(root, stack))), indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "plan":
            status = cmd_plan(args.root, args.stacks, args.json)
            if args.check and status == 0:
                print()
                status = cmd_check(args.root, args.stacks)
            return status
        if args.command == "policy-config":
            return cmd_policy_config(args.root, args.stack)
        if args.command == "drill":
            return drill.run(args)
        if args.command == "check":
            return cmd_check(args.root, args.stacks, args.json, args.sarif, args.policy_config)
    except FileNotFoundError as exc:
        print(f"drctl: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"drctl: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # a policy config the pack would misread
        print(f"drctl: policy config: {exc}", file=sys.stderr)
        return 2
    except PolicyPackError as exc:
        print(f"drctl: the policy pack failed to run: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
