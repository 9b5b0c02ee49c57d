"""The offline policy check: the real pack over each stack's recorded plan, the gate's own rules over the stack
files together, and the report as text or JSON.

The pack runs in its own process and is driven over the analyzer protocol (``engine.analyzer``), so these results
and ``pulumi preview --policy-pack policies`` come from the same code. Each stack is judged by the organisation's
policy config (``engine.floors``: floors, levels, exemptions) tightened by its own objectives, never loosened.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azure_dr.components.facts import exemptions as ex
from azure_dr.components.stack.config import StackConfig

from ..report import progress, schemas
from ..report.render import managed
from . import gate
from .analyzer import PackReport, PolicyInfo, PolicyResult, open_pack
from .floors import objectives_config as objectives_config
from .floors import organisation_config, stack_thresholds
from .recording import StackPlan

SCHEMA_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "string": (str,),
    "array": (list,),
}
LEVELS = {"advisory", "mandatory", "remediate", "disabled"}


def _check_setting(name: str, key: str, setting: Any, knobs: Mapping[str, Any]) -> None:
    if key == "enforcementLevel":
        if setting not in LEVELS:
            raise ValueError(
                f"{name}.enforcementLevel: {setting!r} is not allowed; allowed: {', '.join(sorted(LEVELS))}"
            )
        return
    if key not in knobs:
        raise ValueError(f"{name}.{key}: unknown setting; allowed: {', '.join(['enforcementLevel', *sorted(knobs)])}")
    kind = knobs[key].get("type", "")
    expected = SCHEMA_TYPES.get(kind, (object,))
    if not isinstance(setting, expected) or (kind != "boolean" and isinstance(setting, bool)):
        raise ValueError(f"{name}.{key}: {setting!r} is not allowed; expected {kind}")
    if key == ex.EXEMPTIONS_KNOB and isinstance(setting, list):
        for i, entry in enumerate(setting):
            try:
                ex.parse_exemption(entry)
            except ValueError as exc:
                raise ValueError(f"{name}.{key}[{i}]: {exc}") from None


def validate_policy_config(policies: Sequence[PolicyInfo], config: Mapping[str, Any]) -> None:
    """Refuse, in one line, a policy config the pack would misread: unknown rule or knob, wrong type, bad level."""
    by_name = {p.name: p for p in policies}
    for name, value in config.items():
        if name == "all":
            if value not in LEVELS:
                raise ValueError(f"all: {value!r} is not an enforcement level; allowed: {', '.join(sorted(LEVELS))}")
            continue
        if name not in by_name:
            raise ValueError(f"{name}: no such rule; rules: {', '.join(sorted(by_name))}")
        settings = {"enforcementLevel": value} if isinstance(value, str) else value
        if not isinstance(settings, Mapping):
            raise ValueError(f"{name}: expected an object of settings or an enforcement level, got {value!r}")
        knobs = by_name[name].config_schema.get("properties", {})
        for key, setting in settings.items():
            _check_setting(name, key, setting, knobs)


def pack_stack(plans: Sequence[StackPlan]) -> str:
    """The stack the pack's environment names (``PULUMI_STACK``): the one stack checked, or none for several."""
    return plans[0].stack if len(plans) == 1 else ""


def check_plans(
    plans: Sequence[StackPlan],
    pack_dir: Path,
    policy_config: Mapping[str, Any] | None = None,
    objectives: Mapping[str, StackConfig] | None = None,
    *,
    root: Path | None = None,
) -> PackReport:
    """One pack process for all stacks. Each stack is judged by the policy config (``policy_config``, else the
    pack's own ``policy-config.json``: the organisation's floors), tightened by its own objectives when given.

    With ``root`` (the project) and ``objectives`` (its azure-dr stack configs) the gate's rules run too: the pair
    over every stack file, each stack's objectives against the floors, its exemption tags."""
    project = next((p.project for p in plans), "")
    organisation = organisation_config(pack_dir, policy_config)
    with open_pack(pack_dir, project=project, stack=pack_stack(plans)) as pack:
        name, version, policies, initial = pack.info()
        validate_policy_config(policies, organisation)
        report = PackReport(pack_name=name, pack_version=version, policies=policies)
        levels = gate.effective_levels(policies, organisation)
        for plan in plans:
            stack_config = (objectives or {}).get(plan.stack)
            thresholds = stack_thresholds(policies, initial, organisation, stack_config)
            pack.configure(thresholds.config)
            with progress.step(f"checked stack {plan.stack}"):
                results, skipped = pack.analyze_stack(plan)
            report.results.extend(results)
            report.not_applicable.extend(skipped)
            if root is not None and stack_config is not None and plan.error is None:
                report.results.extend(gate.floor_results(plan.stack, thresholds.loosened, plan.project))
                report.results.extend(
                    gate.tag_results(plan.stack, stack_config, plan.project, levels, {p.name for p in policies})
                )
    if root is not None and objectives:  # a consumer's own program (no azure-dr stack config) has no pair to judge
        report.gate_rules = [rule.info() for rule in gate.RULES]
        pair, not_evaluated = gate.pair_results(root, [p.stack for p in plans if p.error is None])
        report.results.extend(pair)
        report.not_applicable.extend(not_evaluated)
    return report


def stack_policy_config(
    pack_dir: Path, stack: StackConfig, policy_config: Mapping[str, Any] | None = None, project: str = ""
) -> dict[str, Any]:
    """The policy config one stack is judged by (``drctl policy-config STACK``, for ``pulumi preview
    --policy-pack-config``): the organisation's, with the thresholds the stack's objectives tighten."""
    organisation = organisation_config(pack_dir, policy_config)
    with open_pack(pack_dir, project=project) as pack:
        _, _, policies, initial = pack.info()
        validate_policy_config(policies, organisation)
        return stack_thresholds(policies, initial, organisation, stack).config


def short_name(urn: str) -> str:
    """A resource's logical name, the last part of its URN: what every line of drctl's text names it by."""
    return urn.rsplit("::", 1)[-1] if urn else ""


def message(result: PolicyResult) -> str:
    """The rule's own message, without what the report already shows beside it.

    pulumi_policy puts the policy description on the first line; the pack prefixes ``[rule-id]`` (for the
    Pulumi CLI, which prints no rule column) and stack rules lead with the resource name.
    """
    text = result.message.strip().splitlines()[-1] if result.message.strip() else result.description
    text = text.removeprefix(f"[{result.policy_name}] ")
    name = short_name(result.urn)
    return text.removeprefix(f"{name}: ") if name else text


@dataclass(frozen=True)
class Exemption:
    """A violation a resource is exempt from, with the reason given and where the exemption lives: ``source`` is
    ``policy config`` (``expires`` set) or the tag that carries it."""

    stack: str
    rule: str
    urn: str
    reason: str
    source: str = ""
    expires: str = ""

    @property
    def resource(self) -> str:
        return short_name(self.urn)

    def describe(self) -> str:
        until = f", expires {self.expires}" if self.expires else ""
        return f"{self.reason} ({self.source or 'exempt'}{until})"


_NEXT_URN = re.compile(r"; (?=urn:pulumi:|stack )")
_SOURCE = re.compile(r"^(?P<reason>.*?)\s*\[(?P<source>[^\[\]]*?)(?:, expires (?P<expires>\d{4}-\d{2}-\d{2}))?\]$")


def _exemption(stack: str, rule: str, part: str) -> Exemption:
    urn, sep, why = part.partition(": ")
    if not sep or not urn.startswith("urn:pulumi:"):
        urn, why = "", part.removeprefix(f"stack {stack}: ")
    found = _SOURCE.match(why.strip())
    if found is None:
        return Exemption(stack, rule, urn, why.strip())
    return Exemption(stack, rule, urn, found["reason"], found["source"], found["expires"] or "")


def exempt_entries(report: PackReport, stack: str) -> list[Exemption]:
    """Every exemption of ``stack``, one per resource (a stack rule reports several in one not-applicable)."""
    found = []
    for s, rule, reason in report.not_applicable:
        if s != stack or not reason.startswith("exempt"):
            continue
        for part in _NEXT_URN.split(reason.removeprefix("exempt:").strip()):
            found.append(_exemption(stack, rule, part))
    return found


def exemptions(report: PackReport, stack: str) -> list[tuple[str, str]]:
    return [
        (policy, reason) for s, policy, reason in report.not_applicable if s == stack and reason.startswith("exempt")
    ]


def not_evaluated(report: PackReport, stack: str) -> list[tuple[str, str]]:
    """``(rule, why)`` of each rule that could not judge ``stack`` (its peer's outputs, or the pair, missing)."""
    return [
        (rule, reason.removeprefix("not evaluated: "))
        for s, rule, reason in report.not_applicable
        if s == stack and reason.startswith("not evaluated")
    ]


def report_text(plans: Sequence[StackPlan], report: PackReport) -> str:
    gates = f" + {len(report.gate_rules)} gate rules" if report.gate_rules else ""
    lines = [f"policy pack {report.pack_name} v{report.pack_version}: {len(report.policies)} rules{gates}"]
    for plan in plans:
        if plan.error:
            lines.append(f"stack {plan.stack}: not checked: {plan.error}")
            continue
        mine = [r for r in report.results if r.stack == plan.stack]
        mandatory = [r for r in mine if r.enforcement_level == "mandatory"]
        advisory = [r for r in mine if r.enforcement_level != "mandatory"]
        exempt = exempt_entries(report, plan.stack)
        skipped = not_evaluated(report, plan.stack)
        lines.append(
            f"stack {plan.stack}: {len(managed(plan))} resources, {len(mandatory)} mandatory, "
            f"{len(advisory)} advisory, {len(exempt)} exempt" + (f", {len(skipped)} not evaluated" if skipped else "")
        )
        for r in sorted(mine, key=lambda r: (r.enforcement_level != "mandatory", r.policy_name, r.urn)):
            target = short_name(r.urn) or (f"{plan.project}:{r.config_key}" if r.config_key else "(stack)")
            text = message(r).removeprefix(f"{target}: ").removeprefix(f"{target} ")
            lines.append(f"  {r.enforcement_level.upper():<9} {r.policy_name:<26} {target}: {text}")
        for e in exempt:
            lines.append(f"  {'EXEMPT':<9} {e.rule:<26} {e.resource or '(stack)'}: {e.describe()}")
        by_reason: dict[str, list[str]] = {}
        for rule, why in skipped:
            by_reason.setdefault(why, []).append(rule)
        for why, rules in by_reason.items():
            lines.append(f"  NOT EVALUATED {', '.join(rules)}: {why}")
    failed = [p.stack for p in plans if p.error]
    if failed:  # a stack that did not plan was not checked: never a pass, never "0 violations"
        others = (
            f"; mandatory violations in the other stacks: {len(report.mandatory)}" if len(plans) > len(failed) else ""
        )
        lines.append(f"ERROR: {len(failed)} stack(s) failed to plan and were not checked ({', '.join(failed)}){others}")
    else:
        lines.append(f"{'FAIL' if report.mandatory else 'PASS'}: {len(report.mandatory)} mandatory violation(s)")
    return "\n".join(lines)


def report_json(plans: Sequence[StackPlan], report: PackReport) -> dict[str, Any]:
    """``drctl check --json`` (schema ``drctl schema check``)."""
    return {
        "schema": schemas.CHECK_ID,
        "pack": {
            "name": report.pack_name,
            "version": report.pack_version,
            "rules": len(report.policies),
            "gate_rules": len(report.gate_rules),
        },
        "stacks": [
            {
                "stack": p.stack,
                "error": p.error,
                "resource_count": len(managed(p)),
                "violations": [
                    {
                        "rule": r.policy_name,
                        "level": r.enforcement_level,
                        "severity": r.severity,
                        "urn": r.urn,
                        "resource": short_name(r.urn),
                        "message": message(r),
                        **({"config_key": r.config_key} if r.config_key else {}),
                    }
                    for r in report.results
                    if r.stack == p.stack
                ],
                "exempt": [
                    {
                        "rule": e.rule,
                        "urn": e.urn,
                        "resource": e.resource,
                        "reason": e.reason,
                        **({"source": e.source} if e.source else {}),
                        **({"expires": e.expires} if e.expires else {}),
                    }
                    for e in exempt_entries(report, p.stack)
                ],
                "not_evaluated": [{"rule": rule, "reason": why} for rule, why in not_evaluated(report, p.stack)],
            }
            for p in plans
        ],
        "passed": not report.mandatory and not any(p.error for p in plans),
        "errors": [{"stack": p.stack, "error": p.error} for p in plans if p.error],
    }
