"""What every rule shares: its metadata, its thresholds (policy config with defaults), and exemptions.

A rule is a plain function over a resource's props that yields violation messages; the framework turns it
into a ``pulumi_policy`` policy, applies the per-resource exemption tag, and prefixes each message with the
rule id so text, JSON and SARIF output all name the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from azure_dr.components.facts.paths import dig as dig  # re-exported: every rule reads props with it

EXEMPT_TAG = "azure-dr:policy-exempt"
EXEMPT_REASON_TAG = "azure-dr:policy-exempt-reason"
#: Where each rule is documented: the rule reference generated from this metadata (``docs/generate.py``), one
#: anchor per rule (``#rule-<id>``).
RULES_URL = "https://github.com/azure-dr/azure-dr/blob/main/docs/rules.md"

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY

Props = Mapping[str, Any]
ResourceCheck = Callable[[str, Props, Mapping[str, Any]], Iterable[str]]
StackCheck = Callable[[StackValidationArgs, Mapping[str, Any]], Iterable[tuple[str, str | None]]]


@dataclass(frozen=True)
class Threshold:
    """One policy-config knob, with its default taken from the recovery objectives."""

    name: str
    default: int | str | bool
    description: str
    minimum: int | None = None

    def schema(self) -> dict[str, Any]:
        kind = {bool: "boolean", int: "integer", str: "string"}[type(self.default)]
        schema: dict[str, Any] = {"type": kind, "default": self.default, "description": self.description}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        return schema


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

    @property
    def url(self) -> str:
        return f"{RULES_URL}#rule-{self.id}"

    def how_to_fix(self) -> str:
        return self.fix or f"Change the resource so that: {self.title[0].lower()}{self.title[1:]}."

    def how_to_exempt(self) -> str:
        return (
            f"Tag the resource with {EXEMPT_TAG}: {self.id} (several rules: comma-separated) and "
            f"{EXEMPT_REASON_TAG}: <why>; for every resource of a stack, set them in azure-dr:tags. "
            "An exempted violation is still reported, as EXEMPT with its reason; without a reason it is not exempt."
        )

    def help_text(self) -> str:
        """Why, how to fix, how to exempt: ``drctl explain``, the SARIF rule help and the CLI's remediation."""
        why = " ".join(self.why.split()) or self.title
        return (
            f"{self.title}.\n\nWhy: {why}\n\nHow to fix: {self.how_to_fix()}\n\nHow to exempt: {self.how_to_exempt()}"
        )

    def help_markdown(self) -> str:
        why = " ".join(self.why.split()) or self.title
        return (
            f"**{self.title}** (`{self.id}`, {self.level.value}, {self.service})\n\n"
            f"**Why.** {why}\n\n**How to fix.** {self.how_to_fix()}\n\n"
            f"**How to exempt.** {self.how_to_exempt()}\n\n[Rule reference]({self.url})"
        )

    def config_schema(self) -> PolicyConfigSchema | None:
        if not self.thresholds:
            return None
        return PolicyConfigSchema(properties={t.name: t.schema() for t in self.thresholds})

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
        return {
            "name": self.id,
            "description": self.title,
            "enforcement_level": self.level,
            "config_schema": self.config_schema(),
            "display_name": self.title,
            "severity": self.severity,
            "tags": self.tags(),
            "remediation_steps": f"{self.how_to_fix()}\n\n{self.how_to_exempt()}",
            "url": self.url,
        }


def exemption(props: Props, rule_id: str) -> str | None:
    """The reason a resource is exempt from ``rule_id`` (tag ``azure-dr:policy-exempt``), or None.

    An exemption without a reason tag returns "" so the caller can refuse it.
    """
    tags = props.get("tags") or {}
    named = {part.strip() for part in str(tags.get(EXEMPT_TAG, "")).split(",")}
    if rule_id not in named:
        return None
    return str(tags.get(EXEMPT_REASON_TAG, "")).strip()


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
            settings = rule.settings(args.get_config() or {})
            messages = list(self.check(args.resource_type, args.props, settings))
            if not messages:
                return
            reason = exemption(args.props, rule.id)
            if reason:
                # Reported, never silently skipped: the CLI and `drctl check` list it as exempt.
                args.not_applicable(f"exempt: {args.urn}: {reason}")  # raises: ends this validation
                return
            for message in messages:
                suffix = " (exemption tag present but no azure-dr:policy-exempt-reason)" if reason == "" else ""
                report(f"[{rule.id}] {message}{suffix}", None)

        return ResourceValidationPolicy(validate=validate, **rule.metadata())


@dataclass(frozen=True)
class StackRule:
    """A rule over the whole stack (cross-resource DR rules)."""

    rule: Rule
    check: StackCheck = field(repr=False)

    def policy(self) -> StackValidationPolicy:
        rule = self.rule

        def validate(args: StackValidationArgs, report: ReportViolation) -> None:
            settings = rule.settings(args.get_config() or {})
            exempt: list[str] = []
            for message, urn in self.check(args, settings):
                resource = next((r for r in args.resources if r.urn == urn), None) if urn else None
                reason = exemption(resource.props, rule.id) if resource is not None else None
                if reason:
                    exempt.append(f"{urn}: {reason}")
                    continue
                report(f"[{rule.id}] {message}", urn)
            if exempt:
                args.not_applicable("exempt: " + "; ".join(exempt))

        return StackValidationPolicy(validate=validate, **rule.metadata())
