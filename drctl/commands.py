"""``drctl``: the offline tooling. ``plan`` runs the program of each stack under the mock runtime.

Commands register themselves: each command module exposes ``register(sub)``, which adds its sub-parser and sets
``handler`` (a function of the parsed arguments returning the exit code). Adding a command is one entry in
``COMMANDS``. Arguments are parsed first and the project is found after (``--root``, or walking up from the
current directory to ``Pulumi.yaml`` like git and pulumi), so ``--help`` works anywhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azure_dr.components.stack.config import ConfigError, StackConfig
from azure_dr.components.stack.schema import stack_file_schema

from . import lifecycle_parser
from .engine import check
from .engine import programs as engine
from .engine.analyzer import PackReport, PolicyPackError
from .engine.floors import PolicyConfigError, read_policy_config
from .engine.programs import ProgramError
from .engine.recording import StackPlan
from .lifecycle import drill
from .report import diagram, github, posture, render, rulebook, schemas
from .report.output import emit
from .report.sarif import to_sarif
from .report.terminal import emit_report
from .stackfiles.edit import EditError
from .stackfiles.files import declared_config, error_line, load_stack, project_name, stack_names
from .stackfiles.project import ProjectNotFoundError, find_root, policy_pack
from .stackfiles.transaction import TransactionError, interrupted
from .stackfiles.yamlfile import YamlFileError

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]  # argparse's own type, generic in typeshed
Handler = Callable[[argparse.Namespace], int]
Register = Callable[["SubParsers"], None]


class UsageError(ValueError):
    """A command-line value drctl refuses before doing any work (exit 2)."""


def version() -> str:
    from importlib import metadata  # only for --version: its import is ~30 ms of every other command's start

    try:
        return metadata.version("azure-dr")
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


class _VersionAction(argparse.Action):
    """``--version``: looks the version up only when asked (argparse's own action needs it to build the parser)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(f"drctl {version()}")  # on stdout, as argparse's own action prints it
        parser.exit()


def register_core(sub: SubParsers) -> None:
    """``plan``, ``check`` and ``policy-config``."""
    plan = sub.add_parser("plan", help="render each stack's resources and DR settings, no cloud needed")
    plan.add_argument("stacks", nargs="*", help="stacks to plan (default: all, peers first)")
    plan.add_argument("--json", action="store_true", help="machine-readable output (schema: drctl schema plan)")
    plan.add_argument("--check", action="store_true", help="then run the policy pack over the same plans")
    plan.set_defaults(handler=_plan_handler)
    check_parser = sub.add_parser("check", help="run the policy pack over each stack's offline plan, as CI does")
    check_parser.add_argument("stacks", nargs="*", help="stacks to check (default: all, peers first)")
    check_parser.add_argument("--json", action="store_true", help="machine-readable output")
    check_parser.add_argument(
        "--sarif", metavar="FILE", help="also write SARIF 2.1.0 (for GitHub code scanning); '-' for stdout"
    )
    check_parser.add_argument(
        "--sarif-exempt",
        action="store_true",
        help="also put exempted violations in the SARIF results, as suppressed (default: listed in its properties)",
    )
    check_parser.add_argument(
        "--github",
        action="store_true",
        help="GitHub Actions: annotations on stdout, a job summary to $GITHUB_STEP_SUMMARY (no code scanning needed)",
    )
    check_parser.add_argument(
        "--policy-config",
        metavar="FILE",
        type=Path,
        help="the organisation's policy config JSON (floors, levels, exemptions); default: policies/policy-config.json",
    )
    check_parser.set_defaults(handler=_check_handler)
    thresholds = sub.add_parser(
        "policy-config", help="the policy config a stack is judged by: the floors, tightened by its objectives (JSON)"
    )
    thresholds.add_argument("stack")
    thresholds.add_argument("--policy-config", metavar="FILE", type=Path, help="the organisation's policy config")
    thresholds.set_defaults(handler=lambda args: cmd_policy_config(args.root, args.stack, args.policy_config))
    schema = sub.add_parser(
        "schema", help="the JSON schema of `plan --json` or `check --json` output, or of this project's stack files"
    )
    schema.add_argument("document", choices=sorted([*schemas.SCHEMAS, "stack"]))
    schema.set_defaults(handler=lambda args: _print_json(_schema(args.root, args.document)))
    drill.add_parser(sub).set_defaults(handler=drill.run)


#: Every command module's ``register``; a new command module adds one line here.
COMMANDS: list[Register] = [register_core, rulebook.register, diagram.register, lifecycle_parser.register]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="drctl", description="Offline DR tooling for the azure-dr stacks.")
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="project directory (default: the nearest directory holding Pulumi.yaml, from . upwards)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(sub)
    return parser


def _print_json(document: Any) -> int:
    emit(json.dumps(document, indent=2))
    return 0


def _schema(root: Path, document: str) -> dict[str, Any]:
    """An output schema (shipped), or the stack-file schema of the project at ``root`` (generated from the model,
    with the key descriptions its ``Pulumi.yaml`` declares; ``components/stack/stack-file.schema.json``)."""
    if document != "stack":
        return schemas.load(document)
    declared = declared_config(root)
    return stack_file_schema(
        project_name(root),
        {name: str(spec["description"]) for name, spec in declared.items() if "description" in spec},
        {name for name, spec in declared.items() if "value" in spec or "default" in spec},
    )


def _unplanned_peer(root: Path, plans: Sequence[StackPlan]) -> str | None:
    """Why the pair's posture cannot be judged from ``plans``: an active or standby half is missing because a
    stack of the project was not planned (or failed to); None when the planned stacks are all there is."""
    planned = [p for p in plans if p.error is None]
    roles = {p.outputs.get("role") for p in planned}
    failed = {p.stack for p in plans if p.error}
    missing = [n for n in stack_names(root) if n not in {p.stack for p in planned}]
    if {"active", "standby"} <= roles or not missing:
        return None
    why = ", ".join(f"{n}: failed to plan" if n in failed else n for n in missing)
    return (
        f"DR posture not assessed: the pair's other half was not planned ({why}); "
        f"plan the pair together, e.g. drctl plan {' '.join(sorted({*(p.stack for p in planned), *missing}))}"
    )


def _posture(root: Path, plans: Sequence[StackPlan]) -> tuple[str, list[posture.ServicePosture]]:
    judge = posture.objectives_stack(plans)
    unplanned = _unplanned_peer(root, plans)
    if judge is None or unplanned is not None:
        return unplanned or "", []
    config = posture.config_of(load_stack(root, judge.stack))
    stacks = ", ".join(p.stack for p in plans if p.error is None)
    return f"DR posture ({stacks}; objectives of {judge.stack})", posture.posture(plans, config)


def _retention(root: Path, plans: Sequence[StackPlan]) -> posture.RetentionPosture:
    judge = posture.objectives_stack(plans)
    assert judge is not None  # only called when the posture has rows
    return posture.long_term_retention(plans, posture.config_of(load_stack(root, judge.stack)))


def plan_document(root: Path, plans: Sequence[StackPlan]) -> dict[str, Any]:
    """``drctl plan --json``: the plans, their inputs and the DR posture (schema ``drctl schema plan``)."""
    title, rows = _posture(root, plans)
    document: dict[str, Any] = {
        "schema": schemas.PLAN_ID,
        "stacks": render.plan_json(plans),
        "posture": [render.plain(r.as_dict()) for r in rows],
    }
    if not rows and title:
        document["posture_note"] = title
    if rows:
        document["long_term_retention"] = render.plain(_retention(root, plans).as_dict())
    return document


def cmd_plan(root: Path, stacks: Sequence[str], as_json: bool, with_check: bool = False) -> int:
    """Plan each stack once; with ``with_check`` the pack judges those same plans."""
    half_written = interrupted(root)
    if half_written is not None:  # planned anyway (it shows what each file says), but not silently
        print(f"drctl plan: warning: the stack files are half-written: {half_written}", file=sys.stderr)
    plans = engine.plan_stacks(stacks or None, root)
    failed = [p for p in plans if p.error]
    status = 1 if failed else 0
    if as_json:
        document = plan_document(root, plans)
        if with_check and not failed:
            report = _run_check(root, plans, None)
            document["check"] = check.report_json(plans, report)
            status = 0 if document["check"]["passed"] else 1
        emit(json.dumps(document, indent=2))
    else:
        title, rows = _posture(root, plans)
        emit_report("\n\n".join(render.plan_text(p) for p in plans if p.error is None))
        if rows:
            emit_report("\n" + posture.posture_text(rows, title))
            emit_report(posture.retention_text(_retention(root, plans)))
        elif title:
            emit_report("\n" + title)
    for p in failed:
        print(f"drctl: stack {p.stack}: {p.error}", file=sys.stderr)
    if with_check and not as_json and not failed:
        emit()
        status = cmd_check(root, stacks, plans=plans)
    return status


def _sarif_target(value: str | None) -> str | None:
    """Refuse a SARIF path that cannot be written, before the check spends seconds running."""
    if value is None or value == "-":
        return value
    path = Path(value)
    if path.is_dir():
        raise UsageError(f"--sarif {value}: is a directory; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"--sarif {value}: directory {path.parent} does not exist")
    return value


def _objectives(root: Path, plans: Sequence[StackPlan]) -> dict[str, StackConfig]:
    """Each planned stack's config, whose objectives set the pack's thresholds. A stack whose program planned but
    whose config the model refuses runs a program of its own (a consumer's, built from the components): the
    pack judges it with its default thresholds."""
    found = {}
    for plan in plans:
        if plan.error is None:
            try:
                found[plan.stack] = posture.config_of(load_stack(root, plan.stack))
            except ConfigError:
                continue
    return found


def _run_check(root: Path, plans: Sequence[StackPlan], policy_config: dict[str, Any] | None) -> PackReport:
    return check.check_plans(plans, policy_pack(root), policy_config, _objectives(root, plans), root=root)


@dataclass(frozen=True)
class CheckOutputs:
    """Where ``drctl check`` writes, besides its report: SARIF (a file or ``-``), GitHub annotations."""

    sarif_path: str | None = None
    sarif_exempt: bool = False
    github: bool = False


def cmd_check(
    root: Path,
    stacks: Sequence[str],
    as_json: bool = False,
    sarif_path: str | None = None,
    policy_config: Path | None = None,
    plans: Sequence[StackPlan] | None = None,
    outputs: CheckOutputs | None = None,
) -> int:
    """Run the pack and the gate over the plans; exit 1 on any mandatory violation or refused config."""
    outputs = outputs or CheckOutputs(sarif_path)
    sarif_path = _sarif_target(outputs.sarif_path)
    for flag, on in (("--json", as_json), ("--github", outputs.github)):
        if on and sarif_path == "-":
            raise UsageError(f"{flag} and --sarif - both write to stdout; write the SARIF to a file")
    if as_json and outputs.github:
        raise UsageError("--json and --github both write to stdout; use one")
    half_written = interrupted(root)
    if half_written is not None:  # the pair is neither the old one nor the new one: nothing to pass
        print(f"drctl check: FAIL: the stack files are half-written: {half_written}", file=sys.stderr)
        return 1
    config = read_policy_config(policy_config) if policy_config is not None else None
    plans = plans if plans is not None else engine.plan_stacks(stacks or None, root)
    report = _run_check(root, plans, config)
    failed = bool(report.mandatory or any(p.error for p in plans))
    sarif: dict[str, Any] | None = None
    if sarif_path or outputs.github:
        errors = {p.stack: (str(p.error), _error_line(root, p.stack, str(p.error))) for p in plans if p.error}
        sarif = to_sarif(report, root=root, plans=plans, plan_errors=errors, include_exempt=outputs.sarif_exempt)
    if sarif is not None and sarif_path:
        text = json.dumps(sarif, indent=2)
        if sarif_path == "-":
            emit(text)
        else:
            Path(sarif_path).write_text(text + "\n")
    report_text = check.report_text(plans, report)
    if as_json:
        emit(json.dumps(check.report_json(plans, report), indent=2))
    elif sarif_path == "-":
        print(report_text, file=sys.stderr)
    else:
        emit_report(report_text)
    if sarif is not None and outputs.github:
        for line in github.workflow_commands(sarif):
            emit(line)
        github.write_summary(github.summary(sarif, report_text.splitlines()[-1]))
    return 1 if failed else 0


def _error_line(root: Path, stack: str, message: str) -> int:
    try:
        return error_line(load_stack(root, stack), message)
    except (YamlFileError, FileNotFoundError):
        return error_line(None, message)


def cmd_policy_config(root: Path, stack: str, policy_config: Path | None = None) -> int:
    """The policy config ``stack`` is judged by, for ``pulumi preview --policy-pack-config``: the organisation's
    floors, levels and exemptions, with the thresholds its objectives tighten."""
    config = read_policy_config(policy_config) if policy_config is not None else None
    file = load_stack(root, stack)
    effective = check.stack_policy_config(policy_pack(root), posture.config_of(file), config, file.project)
    return _print_json(effective)


def _plan_handler(args: argparse.Namespace) -> int:
    return cmd_plan(args.root, args.stacks, args.json, args.check)


def _check_handler(args: argparse.Namespace) -> int:
    outputs = CheckOutputs(args.sarif, args.sarif_exempt, args.github)
    return cmd_check(args.root, args.stacks, args.json, policy_config=args.policy_config, outputs=outputs)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args.root = find_root(args.root)
        handler: Handler = args.handler
        return handler(args)
    except (ProjectNotFoundError, UsageError, PolicyConfigError, ProgramError, TransactionError, EditError) as exc:
        print(f"drctl: {exc}", file=sys.stderr)
        return 2
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
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
