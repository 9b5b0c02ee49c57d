"""What every rule shares: its metadata, its thresholds (policy config with defaults), and exemptions.

A rule is a plain function over a resource's props that yields violation messages; the framework turns it
into a ``pulumi_policy`` policy, applies exemptions (``azure_dr.components.facts.exemptions``: the policy config's,
with a reason and an expiry, for any rule; the stack's tags for advisory rules only), and prefixes each message
with the rule id so text, JSON and SARIF output all name the rule. A stack rule that reads the peer stack's
outputs is "not evaluated" when the peer exported none (it failed to plan, or is not deployed): judging the
healthy stack against an empty peer would report a violation that is not there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from drpolicy.azure_facts import exemptions as ex
from drpolicy.azure_facts.paths import dig as dig  # re-exported: every rule reads props with it

#: Where each rule is documented: the rule reference generated from this metadata (``docs/generate.py``), one
#: anchor per rule (``#rule-<id>``).
RULES_URL = "https://github.com/azure-dr/azure-dr/blob/main/docs/rules.md"
STACK_REFERENCE = "pulumi:pulumi:StackReference"

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY

Props = Mapping[str, Any]
ResourceCheck = Callable[[str, Props, Mapping[str, Any]], Iterable[str]]
StackCheck = Callable[[StackValidationArgs, Mapping[str, Any]], Iterable[tuple[str, str | None]]]
Stricter = Literal["higher", "lower"]
#: The JSON-schema extension keyword that tells a policy-config merger which way a threshold tightens.
STRICTER_KEYWORD = "x-stricter"


def pack_namespace() -> str:
    """The project the pack judges, for its help texts: ``PULUMI_PROJECT`` as the engine starts the pack."""
    return os.environ.get("PULUMI_PROJECT") or ex.LIBRARY_NAMESPACE


@dataclass(frozen=True)
class Threshold:
    """One policy-config knob, with its default taken from the recovery objectives.

    ``stricter`` says which way the knob tightens (a minimum retention: higher; an RPO or a longest interval:
    lower; a requirement: true), so a policy-config merger keeps the organisation's floor and lets a stack's
    objectives tighten it, never loosen it. Derived from the name (``min_``/``require_`` higher, ``max_`` and
    ``_minutes`` lower) unless given.
    """

    name: str
    default: int | str | bool
    description: str
    minimum: int | None = None
    stricter: Stricter | None = None

    @property
    def direction(self) -> Stricter | None:
        if self.stricter is not None:
            return self.stricter
        if isinstance(self.default, bool) or self.name.startswith(("min_", "require_")):
            return "higher"
        if self.name.startswith("max_") or self.name.endswith("_minutes"):
            return "lower"
        return None

    def schema(self) -> dict[str, Any]:
        kind = {bool: "boolean", int: "integer", str: "string"}[type(self.default)]
        schema: dict[str, Any] = {"type": kind, "default": self.default, "description": self.description}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.direction is not None:
            schema[STRICTER_KEYWORD] = self.direction
        return schema


EXEMPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "default": [],
    "description": (
        "exemptions of this rule, owned by the policy config: each {stack, resource (logical name, or * for the "
        f"whole stack), reason (at least {ex.MIN_REASON_WORDS} words), expires (YYYY-MM-DD)}}"
    ),
    "items": {
        "type": "object",
        "required": ["stack", "resource", "reason", "expires"],
        "properties": {
            "stack": {"type": "string"},
            "resource": {"type": "string"},
            "reason": {"type": "string"},
            "expires": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        },
    },
}


@dataclass(frozen=True)
class Rule:
    """A rule's stable identity and metadata; ``id`` is also the CrossGuard policy name."""

    id: str
    title: str
    service: str
    objective: str
    severity: Severity
    level: EnforcementLevel
    equivalents: str = "none"
    thresholds: tuple[Threshold, ...] = ()
    #: How to fix a violation: what to change, preferably the ``azure-dr:`` stack config key that sets it.
    fix: str = ""
    #: The stack config keys (dotted, without ``azure-dr:``) that set what the rule reads, most specific first:
    #: where a violation points in ``Pulumi.<stack>.yaml``.
    config: tuple[str, ...] = ()
    #: Why the rule exists; the rule module's docstring when not given (``catalogue.rules`` fills it in).
    why: str = ""
    #: A stack rule that reads the peer stack's outputs: "not evaluated" while the peer exported none.
    needs_peer: bool = False

    @property
    def url(self) -> str:
        return f"{RULES_URL}#rule-{self.id}"

    @property
    def mandatory(self) -> bool:
        return self.level == MANDATORY

    def how_to_fix(self, namespace: str = ex.LIBRARY_NAMESPACE) -> str:
        text = self.fix or f"Change the resource so that: {self.title[0].lower()}{self.title[1:]}."
        return ex.in_namespace(text, namespace)

    def how_to_exempt(self, namespace: str = ex.LIBRARY_NAMESPACE) -> str:
        config = (
            f"In the policy config (policies/policy-config.json, owned apart from the stack files): "
            f'"{self.id}": {{"{ex.EXEMPTIONS_KNOB}": [{{"stack": ..., "resource": <logical name or *>, '
            f'"reason": <at least {ex.MIN_REASON_WORDS} words>, "expires": "YYYY-MM-DD"}}]}}.'
        )
        if self.mandatory:
            return f"{config} A stack file cannot exempt a mandatory rule. An exempted violation is still reported."
        return (
            f"{config} Or, for this advisory rule, tag the resource with {ex.exempt_tag(namespace)}: {self.id} "
            f"(several rules: comma-separated) and {ex.reason_tag(namespace)}: <why>; for every resource of a "
            f"stack, set them in {namespace}:tags. An exempted violation is still reported, as EXEMPT with its "
            "reason; without a reason it is not exempt."
        )

    def help_text(self, namespace: str = ex.LIBRARY_NAMESPACE) -> str:
        """Why, how to fix, how to exempt: ``drctl explain``, the SARIF rule help and the CLI's remediation."""
        why = ex.in_namespace(" ".join(self.why.split()) or self.title, namespace)
        return (
            f"{self.title}.\n\nWhy: {why}\n\nHow to fix: {self.how_to_fix(namespace)}\n\n"
            f"How to exempt: {self.how_to_exempt(namespace)}"
        )

    def help_markdown(self, namespace: str = ex.LIBRARY_NAMESPACE) -> str:
        why = ex.in_namespace(" ".join(self.why.split()) or self.title, namespace)
        return (
            f"**{self.title}** (`{self.id}`, {self.level.value}, {self.service})\n\n"
            f"**Why.** {why}\n\n**How to fix.** {self.how_to_fix(namespace)}\n\n"
            f"**How to exempt.** {self.how_to_exempt(namespace)}\n\n[Rule reference]({self.url})"
        )

    def config_schema(self) -> PolicyConfigSchema:
        properties = {t.name: t.schema() for t in self.thresholds}
        return PolicyConfigSchema(properties={**properties, ex.EXEMPTIONS_KNOB: EXEMPTIONS_SCHEMA})

    def settings(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """Thresholds from policy config, falling back to the defaults.

        Config crosses the analyzer protocol as a protobuf Struct, so 30 arrives as 30.0: integral values of an
        integer threshold are given back as ints, so messages read "30 days".
        """
        values = {}
        for t in self.thresholds:
            value = config.get(t.name, t.default)
            if isinstance(t.default, int) and not isinstance(t.default, bool) and isinstance(value, float):
                value = int(value) if value.is_integer() else value
            values[t.name] = value
        return values

    def tags(self) -> list[str]:
        return [self.service, self.objective]

    def metadata(self) -> dict[str, Any]:
        """What every CrossGuard policy built from this rule carries, resource or stack."""
        namespace = pack_namespace()
        return {
            "name": self.id,
            "description": self.title,
            "enforcement_level": self.level,
            "config_schema": self.config_schema(),
            "display_name": self.title,
            "severity": self.severity,
            "tags": self.tags(),
            "remediation_steps": f"{self.how_to_fix(namespace)}\n\n{self.how_to_exempt(namespace)}",
            "url": self.url,
        }


@dataclass(frozen=True)
class Verdict:
    """What to do with a rule's findings on one resource: exempt them (``exempt`` is the not-applicable text),
    or report them with ``note`` appended (why an exemption did not apply, if one was attempted)."""

    exempt: str | None = None
    note: str = ""


def _config_exemptions(config: Mapping[str, Any]) -> list[ex.ConfigExemption | str]:
    """The rule's policy-config exemptions; an entry that does not parse is kept as its problem (never applied)."""
    found: list[ex.ConfigExemption | str] = []
    for entry in config.get(ex.EXEMPTIONS_KNOB) or []:
        try:
            found.append(ex.parse_exemption(entry))
        except ValueError as exc:
            found.append(str(exc))
    return found


def verdict(rule: Rule, config: Mapping[str, Any], urn: str | None, props: Props | None, stack: str) -> Verdict:
    """Whether ``rule``'s findings on the resource ``urn`` (None: the stack itself) are exempt.

    The policy config exempts any rule until its expiry; the resource's tags exempt an advisory rule only.
    """
    name = urn.rsplit("::", 1)[-1] if urn else None
    on = ex.today()
    notes: list[str] = []
    for entry in _config_exemptions(config):
        if isinstance(entry, str):
            notes.append(f"a policy-config exemption of {rule.id} is ignored: {entry}")
        elif entry.matches(stack, name):
            if entry.expired(on):
                notes.append(f"its policy-config exemption expired on {entry.expires.isoformat()}")
                continue
            where = urn or f"stack {stack}"
            return Verdict(exempt=f"exempt: {where}: {entry.reason} [policy config, expires {entry.expires}]")
    namespace = ex.urn_parts(urn)[1] if urn else ""
    tags = (props or {}).get("tags") or {}
    tag = ex.exempt_tag(namespace or ex.LIBRARY_NAMESPACE)
    named = {part.strip() for part in str(tags.get(tag, "")).split(",")}
    if rule.id in named:
        reason = str(tags.get(ex.reason_tag(namespace or ex.LIBRARY_NAMESPACE), "")).strip()
        if rule.mandatory:
            notes.append(
                f"the {tag} tag cannot exempt a mandatory rule; exemptions of mandatory rules live in the policy "
                "config, with a reason and an expiry"
            )
        elif (problem := ex.reason_problem(reason)) is not None:
            notes.append(f"exemption tag present but {ex.reason_tag(namespace or ex.LIBRARY_NAMESPACE)} is {problem}")
        else:
            return Verdict(exempt=f"exempt: {urn}: {reason} [tag {tag}]")
    return Verdict(note="".join(f" ({n})" for n in notes))


def _peer_unavailable(resources: Sequence[PolicyResource]) -> str | None:
    """Why the peer's outputs cannot be judged: a StackReference that read no outputs; None otherwise."""
    for ref in resources:
        if ref.resource_type == STACK_REFERENCE and not ref.props.get("outputs"):
            name = ref.props.get("name") or ref.name
            return (
                f"not evaluated: the peer stack {name} exported no outputs (it failed to plan, or is not deployed); "
                "this rule judges this stack against them"
            )
    return None


def _stack_of(resources: Sequence[PolicyResource]) -> str:
    for resource in resources:
        stack = ex.urn_parts(resource.urn)[0]
        if stack:
            return stack
    return os.environ.get("PULUMI_STACK", "")


@dataclass(frozen=True)
class ResourceRule:
    """A rule over single resources of the listed types."""

    rule: Rule
    resource_types: tuple[str, ...]
    check: ResourceCheck = field(repr=False)

    def policy(self) -> ResourceValidationPolicy:
        rule = self.rule

        def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
            if args.resource_type not in self.resource_types:
                return
            config = args.get_config() or {}
            messages = list(self.check(args.resource_type, args.props, rule.settings(config)))
            if not messages:
                return
            decided = verdict(rule, config, args.urn, args.props, ex.urn_parts(args.urn)[0])
            if decided.exempt is not None:
                # Reported, never silently skipped: the CLI and `drctl check` list it as exempt.
                args.not_applicable(decided.exempt)  # raises: ends this validation
                return
            for message in messages:
                report(f"[{rule.id}] {message}{decided.note}", None)

        return ResourceValidationPolicy(validate=validate, **rule.metadata())


@dataclass(frozen=True)
class StackRule:
    """A rule over the whole stack (cross-resource DR rules)."""

    rule: Rule
    check: StackCheck = field(repr=False)

    def policy(self) -> StackValidationPolicy:
        rule = self.rule

        def validate(args: StackValidationArgs, report: ReportViolation) -> None:
            if rule.needs_peer and (why := _peer_unavailable(args.resources)) is not None:
                args.not_applicable(why)  # raises: ends this validation
                return
            config = args.get_config() or {}
            stack = _stack_of(args.resources)
            exempt: list[str] = []
            for message, urn in self.check(args, rule.settings(config)):
                resource = next((r for r in args.resources if r.urn == urn), None) if urn else None
                decided = verdict(rule, config, urn, resource.props if resource is not None else None, stack)
                if decided.exempt is not None:
                    exempt.append(decided.exempt.removeprefix("exempt: "))
                    continue
                report(f"[{rule.id}] {message}{decided.note}", urn)
            if exempt:
                args.not_applicable("exempt: " + "; ".join(exempt))

        return StackValidationPolicy(validate=validate, **rule.metadata())
