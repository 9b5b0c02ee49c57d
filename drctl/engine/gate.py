"""The gate's own rules: what ``drctl check`` judges beyond the pack, because it takes every stack file at once.

The pack sees one stack's resources at a time (and its peer only through exported outputs); these rules read the
stack files themselves, so they run in ``drctl``, not in the pack, and each result points at the line to change:

- ``dr-pair``: the project's stacks form one valid pair, by the very validation the switch commands refuse an
  inconsistent pair with (``lifecycle.pair.problems``): one active stack, one global owner, two regions, each
  standby's ``replica_of`` the peer's current server, the pair's environment, regions and Redis link;
- ``org-floors``: no objective of a stack is looser than the organisation's floor for a threshold it feeds
  (``engine.floors``): the file under review does not set its own bar;
- ``stack-exemptions``: a stack file's exemption tags name advisory rules only; a mandatory rule is exempted in
  the policy config, with a reason and an expiry.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azure_dr.components.facts import exemptions as ex
from azure_dr.components.stack.config import StackConfig

from ..lifecycle.pair import PairError, member_from, problems
from ..stackfiles.files import load_stack, stack_names
from ..stackfiles.yamlfile import YamlFileError
from .analyzer import PolicyInfo, PolicyResult
from .floors import Loosened

GATE_PACK = "drctl"
#: Where the gate's rules are documented, one anchor per rule.
DOCS_URL = "https://github.com/azure-dr/azure-dr/blob/main/docs/pull-request-gate.md"


@dataclass(frozen=True)
class GateRule:
    """One rule of the gate, with the metadata a pack rule carries (for ``drctl rules``, SARIF, the reports)."""

    id: str
    title: str
    objective: str
    why: str
    fix: str
    config: tuple[str, ...] = ()
    severity: str = "high"

    @property
    def url(self) -> str:
        return f"{DOCS_URL}#{self.id}"

    def info(self) -> PolicyInfo:
        return PolicyInfo(
            name=self.id,
            description=self.title,
            enforcement_level="mandatory",
            severity=self.severity,
            display_name=self.title,
            policy_type="gate",
            config_schema={},
            remediation_steps=self.fix,
            url=self.url,
        )

    def help_text(self, namespace: str = ex.LIBRARY_NAMESPACE) -> str:
        return (
            f"{self.title}.\n\nWhy: {ex.in_namespace(self.why, namespace)}\n\nHow to fix: "
            f"{ex.in_namespace(self.fix, namespace)}\n\nHow to exempt: it cannot be; it judges the stack files, not "
            "a resource."
        )

    def help_markdown(self, namespace: str = ex.LIBRARY_NAMESPACE) -> str:
        return (
            f"**{self.title}** (`{self.id}`, mandatory, gate)\n\n**Why.** {ex.in_namespace(self.why, namespace)}\n\n"
            f"**How to fix.** {ex.in_namespace(self.fix, namespace)}\n\n[The gate's rules]({self.url})"
        )


PAIR = GateRule(
    "dr-pair",
    "The project's stacks form one valid DR pair",
    "coverage",
    "Each stack file alone can be valid while the pair is not: two active stacks (two priority-1 origins), one "
    "region twice, a standby replicating a server that is not its peer's current one, a standby without the "
    "Redis link. The switch commands refuse such a pair; the gate judges it with the same validation.",
    "Change the stack file the message names (azure-dr:role, azure-dr:owns_global, azure-dr:region, "
    "azure-dr:peer_stack, azure-dr:peer_region, azure-dr:postgres.replica_of, azure-dr:redis.geo_secondary), or "
    "let `drctl promote | rebuild | failback | settle` write the switch.",
    ("role", "owns_global", "region", "peer_stack", "peer_region", "postgres.replica_of", "redis.geo_secondary"),
)
FLOORS = GateRule(
    "org-floors",
    "Stack objectives are no looser than the organisation's floors",
    "retention",
    "Thresholds come from the policy config (the organisation's floors), owned apart from the stack files; a stack's "
    "objectives may tighten them, never loosen them, so a pull request cannot lower the bar it is judged by.",
    "Raise the objective back to the floor (azure-dr:objectives), or change the floor in the policy config "
    "(policies/policy-config.json), which its owners review.",
    ("objectives",),
)
STACK_EXEMPTIONS = GateRule(
    "stack-exemptions",
    "Stack files exempt advisory rules only",
    "coverage",
    "A stack file's azure-dr:policy-exempt tag is written by the author of the change it would excuse. It may waive "
    "an advisory rule, with a reason; a mandatory rule is exempted only in the policy config, with a reason and an "
    "expiry date, where its owners review it.",
    "Remove the rule from the azure-dr:policy-exempt tag in azure-dr:tags, and if the exemption is needed ask the "
    "policy config's owners for one (policies/policy-config.json, the rule's exemptions).",
    ("tags",),
)
RULES = (PAIR, FLOORS, STACK_EXEMPTIONS)


def _result(rule: GateRule, stack: str, message: str, key: str) -> PolicyResult:
    return PolicyResult(
        stack=stack,
        policy_name=rule.id,
        policy_pack=GATE_PACK,
        description=rule.title,
        message=message,
        urn="",
        enforcement_level="mandatory",
        severity=rule.severity,
        config_key=key,
    )


def pair_results(root: Path, checked: Collection[str]) -> tuple[list[PolicyResult], list[tuple[str, str, str]]]:
    """The pair rules over every stack file of the project, reported on the ``checked`` stacks they involve.

    A stack file that does not validate leaves the pair "not evaluated" (its own error is reported already)."""
    namespace_members = {}
    failed = []
    for name in stack_names(root):
        try:
            file = load_stack(root, name)
            namespace_members[name] = member_from(file, file.project)
        except (PairError, YamlFileError, FileNotFoundError):
            failed.append(name)
    if failed:
        why = f"not evaluated: {', '.join(failed)} did not validate, and the pair is judged from every stack file"
        return [], [(stack, PAIR.id, why) for stack in checked]
    if not namespace_members:
        return [], []
    namespace = next(iter(namespace_members.values())).namespace
    results = []
    for problem in problems(namespace_members, namespace):
        for stack, key in problem.at:
            if stack in checked:
                results.append(_result(PAIR, stack, problem.message, key))
    return results, []


def floor_results(stack: str, loosened: Sequence[Loosened], namespace: str) -> list[PolicyResult]:
    """One result per objective key that asks for less than a floor, naming every threshold it feeds."""
    by_key: dict[str, list[Loosened]] = {}
    for item in loosened:
        by_key.setdefault(item.knob.key, []).append(item)
    results = []
    for key, items in by_key.items():
        knobs = ", ".join(f"{i.knob.rule}.{i.knob.name} {i.floor}" for i in items)
        results.append(
            _result(
                FLOORS,
                stack,
                f"{namespace}:{key} is {items[0].knob.value}, looser than the organisation's floor ({knobs}, in "
                "the policy config); a stack file can tighten a floor, never loosen it: the pack judges this stack "
                "by the floor",
                key,
            )
        )
    return results


def tag_results(
    stack: str, config: StackConfig, namespace: str, levels: Mapping[str, str], known: Collection[str]
) -> list[PolicyResult]:
    """A stack file's exemption tag naming a mandatory rule (by its effective level) or no rule at all."""
    tag = ex.exempt_tag(namespace)
    named = [part.strip() for part in config.tags.get(tag, "").split(",") if part.strip()]
    key = f"tags.{tag}"
    results = []
    for rule in named:
        if rule not in known:
            results.append(
                _result(STACK_EXEMPTIONS, stack, f"{namespace}:{key} names {rule!r}, which is no rule of the pack", key)
            )
        elif levels.get(rule) == "mandatory":
            results.append(
                _result(
                    STACK_EXEMPTIONS,
                    stack,
                    f"{namespace}:{key} names the mandatory rule {rule}: a stack file cannot exempt a mandatory rule "
                    "(its violations are reported as if the tag were not there); exemptions of mandatory rules live "
                    "in the policy config, with a reason and an expiry",
                    key,
                )
            )
    return results


def effective_levels(policies: Sequence[PolicyInfo], config: Mapping[str, Any]) -> dict[str, str]:
    """Each rule's enforcement level once the policy config (``all``, or the rule's own entry) is applied."""
    everything = config.get("all")
    levels = {}
    for policy in policies:
        level = everything if isinstance(everything, str) else policy.enforcement_level
        entry = config.get(policy.name)
        if isinstance(entry, str):
            level = entry
        elif isinstance(entry, Mapping) and isinstance(entry.get("enforcementLevel"), str):
            level = entry["enforcementLevel"]
        levels[policy.name] = level
    return levels
