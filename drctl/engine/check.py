"""The offline policy check: the real pack over each stack's recorded plan, and its report as text or JSON.

The pack runs in its own process and is driven over the analyzer protocol (``engine.analyzer``), so these results
and ``pulumi preview --policy-pack policies`` come from the same code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azure_dr.components.stack.config import ServiceName, StackConfig

from ..report import progress, schemas
from ..report.render import managed
from .analyzer import PackReport, PolicyInfo, PolicyResult, open_pack
from .recording import StackPlan

SCHEMA_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "string": (str,),
}
LEVELS = {"advisory", "mandatory", "remediate", "disabled"}


def objectives_config(config: StackConfig) -> dict[str, dict[str, Any]]:
    """Policy thresholds from the stack's recovery objectives, so the pack judges what the stack promises.

    ``drctl policy-config STACK`` prints the same for ``pulumi preview --policy-pack-config``.
    """
    days = config.objectives.backup_retention_days
    services: tuple[ServiceName, ...] = ("postgresql", "cosmos", "storage", "keyvault", "registry", "redis")
    return {
        "dr-rpo": {f"{s}_rpo_minutes": config.objective(s).rpo_minutes for s in services},
        "cosmos-backup": {"rpo_minutes": config.objective("cosmos").rpo_minutes},
        "pg-backup-retention": {"min_days": days},
        "storage-blob-soft-delete": {"min_days": days},
        "storage-container-soft-delete": {"min_days": days},
        "backup-ltr": {"min_years": config.objectives.long_term_retention_years},
        "alert-thresholds": {
            **{f"{s}_rpo_minutes": config.objective(s).rpo_minutes for s in ("postgresql", "cosmos", "redis")},
            **{
                f"{s}_rto_minutes": config.objective(s).rto_minutes
                for s in ("postgresql", "cosmos", "redis", "routing")
            },
        },
        "aks-velero-schedule": {
            "min_ttl_hours": days * 24,
            "max_interval_minutes": config.objective("compute").rpo_minutes,
        },
    }


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


def _merge(base: Mapping[str, Mapping[str, Any]], override: Mapping[str, Any] | None) -> dict[str, Any]:
    """Per-rule settings of ``override`` on top of ``base`` (a bare level string means ``enforcementLevel``)."""
    merged: dict[str, Any] = {name: dict(values) for name, values in base.items()}
    for name, value in (override or {}).items():
        if isinstance(value, str) and name != "all":
            value = {"enforcementLevel": value}
        merged[name] = {**merged.get(name, {}), **value} if isinstance(value, Mapping) else value
    return merged


def pack_stack(plans: Sequence[StackPlan]) -> str:
    """The stack the pack's environment names (``PULUMI_STACK``): the one stack checked, or none for several."""
    return plans[0].stack if len(plans) == 1 else ""


def check_plans(
    plans: Sequence[StackPlan],
    pack_dir: Path,
    policy_config: Mapping[str, Any] | None = None,
    objectives: Mapping[str, StackConfig] | None = None,
) -> PackReport:
    """One pack process for all stacks; each stack is judged with thresholds from its own objectives (when
    given), overridden by ``policy_config``."""
    project = next((p.project for p in plans), "")
    with open_pack(pack_dir, project=project, stack=pack_stack(plans)) as pack:
        name, version, policies, _ = pack.info()
        validate_policy_config(policies, policy_config or {})
        report = PackReport(pack_name=name, pack_version=version, policies=policies)
        for plan in plans:
            stack_config = (objectives or {}).get(plan.stack)
            base = objectives_config(stack_config) if stack_config is not None else {}
            pack.configure(_merge(base, policy_config))
            with progress.step(f"checked stack {plan.stack}"):
                results, skipped = pack.analyze_stack(plan)
            report.results.extend(results)
            report.not_applicable.extend(skipped)
    return report


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
    """A violation a resource is exempt from by its tags, with the reason the tag gives."""

    stack: str
    rule: str
    urn: str
    reason: str

    @property
    def resource(self) -> str:
        return short_name(self.urn)


_NEXT_URN = re.compile(r"; (?=urn:pulumi:)")


def exempt_entries(report: PackReport, stack: str) -> list[Exemption]:
    """Every exemption of ``stack``, one per resource (a stack rule reports several in one not-applicable)."""
    found = []
    for s, rule, reason in report.not_applicable:
        if s != stack or not reason.startswith("exempt"):
            continue
        for part in _NEXT_URN.split(reason.removeprefix("exempt:").strip()):
            urn, sep, why = part.partition(": ")
            if not sep or not urn.startswith("urn:pulumi:"):
                urn, why = "", part
            found.append(Exemption(stack, rule, urn, why.strip()))
    return found


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
        exempt = exempt_entries(report, plan.stack)
        lines.append(
            f"stack {plan.stack}: {len(managed(plan))} resources, {len(mandatory)} mandatory, "
            f"{len(advisory)} advisory, {len(exempt)} exempt"
        )
        for r in sorted(mine, key=lambda r: (r.enforcement_level != "mandatory", r.policy_name, r.urn)):
            target = short_name(r.urn) or "(stack)"
            lines.append(f"  {r.enforcement_level.upper():<9} {r.policy_name:<26} {target}: {message(r)}")
        for e in exempt:
            lines.append(f"  {'EXEMPT':<9} {e.rule:<26} {e.resource or '(stack)'}: {e.reason}")
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
        "pack": {"name": report.pack_name, "version": report.pack_version, "rules": len(report.policies)},
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
                    }
                    for r in report.results
                    if r.stack == p.stack
                ],
                "exempt": [
                    {"rule": e.rule, "urn": e.urn, "resource": e.resource, "reason": e.reason}
                    for e in exempt_entries(report, p.stack)
                ],
            }
            for p in plans
        ],
        "passed": not report.mandatory and not any(p.error for p in plans),
        "errors": [{"stack": p.stack, "error": p.error} for p in plans if p.error],
    }
