"""The offline policy check: the real pack over each stack's recorded plan, and its report as text or JSON.

The pack runs in its own process and is driven over the analyzer protocol (``drctl.analyzer``), so these results
and ``pulumi preview --policy-pack policies`` come from the same code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from drctl.analyzer import PackReport, PolicyResult, check_stacks
from drctl.recording import StackPlan


def check_plans(
    plans: Sequence[StackPlan], pack_dir: Path, policy_config: Mapping[str, Any] | None = None
) -> PackReport:
    return check_stacks(plans, pack_dir, policy_config)


def message(result: PolicyResult) -> str:
    """The rule's own message: pulumi_policy puts the policy description on the first line."""
    return result.message.strip().splitlines()[-1]


def exemptions(report: PackReport, stack: str) -> list[tuple[str, str]]:
    return [
        (policy, reason) for s, policy, reason in report.not_applicable if s == stack and reason.startswith("exempt")
    ]


def report_text(plans: Sequence[StackPlan], report: PackReport) -> str:
    rules = len(report.policies)
    lines = [f"policy pack {report.pack_name} v{report.pack_version}: {rules} rules"]
    for plan in plans:
        if plan.error:
            lines.append(f"stack {plan.stack}: not checked: {plan.error}")
            continue
        mine = [r for r in report.results if r.stack == plan.stack]
        mandatory = [r for r in mine if r.enforcement_level == "mandatory"]
        advisory = [r for r in mine if r.enforcement_level != "mandatory"]
        exempt = exemptions(report, plan.stack)
        analyzed = sum(1 for r in plan.resources if r.custom)
        lines.append(
            f"stack {plan.stack}: {analyzed} resources, {len(mandatory)} mandatory, {len(advisory)} advisory, "
            f"{len(exempt)} exempt"
        )
        for r in sorted(mine, key=lambda r: (r.enforcement_level != "mandatory", r.policy_name, r.urn)):
            target = r.urn.rsplit("::", 1)[-1] if r.urn else "(stack)"
            lines.append(f"  {r.enforcement_level.upper():<9} {r.policy_name:<26} {target}: {message(r)}")
        for policy, reason in exempt:
            lines.append(f"  EXEMPT    {policy:<26} {reason.removeprefix('exempt: ')}")
    verdict = "FAIL" if report.mandatory or any(p.error for p in plans) else "PASS"
    lines.append(f"{verdict}: {len(report.mandatory)} mandatory violation(s)")
    return "\n".join(lines)


def report_json(plans: Sequence[StackPlan], report: PackReport) -> dict[str, Any]:
    return {
        "pack": {"name": report.pack_name, "version": report.pack_version, "rules": len(report.policies)},
        "stacks": [
            {
                "stack": p.stack,
                "error": p.error,
                "violations": [
                    {
                        "rule": r.policy_name,
                        "level": r.enforcement_level,
                        "severity": r.severity,
                        "urn": r.urn,
                        "message": message(r),
                    }
                    for r in report.results
                    if r.stack == p.stack
                ],
                "exempt": [{"rule": policy, "reason": reason} for policy, reason in exemptions(report, p.stack)],
            }
            for p in plans
        ],
        "passed": not report.mandatory and not any(p.error for p in plans),
    }
