"""Every stateful resource is protected (``protect``) and carries a CanNotDelete lock.

``protect`` stops Pulumi deleting or replacing it; the lock stops everything else (the portal, a script). A stack
whose ``removal_policy`` is ``destroy`` (a throw-away stack: neither ``protect`` nor ``retain_on_delete``) fails
here with every stateful resource it has, so it cannot pass the gate by accident; the organisation's policy
config for throw-away environments waives ``require_protect`` (and ``require_locks``) explicitly, and a stack
file can tighten that config, never loosen it.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from drpolicy.facts import depends_on, of_type, stateful
from drpolicy.framework import MANDATORY, Rule, StackRule, Threshold
from drpolicy.services import LOCK


def check(args: StackValidationArgs, settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    locks = [lock for lock in of_type(args.resources, LOCK) if lock.props.get("level") == "CanNotDelete"]
    for resource in stateful(args.resources):
        if settings["require_protect"] and not resource.opts.protect:
            yield (
                f"{resource.name} is not protected (protect=True): a replace or destroy would delete its data "
                "(removal_policy destroy is for throw-away stacks only)",
                resource.urn,
            )
        if settings["require_locks"] and not any(depends_on(lock, "scope", resource) for lock in locks):
            yield f"{resource.name} has no CanNotDelete management lock", resource.urn


RULE = StackRule(
    Rule(
        id="stateful-protected",
        title="Stateful resources are protected and locked against deletion",
        service="all",
        objective="deletion-protection",
        severity=Severity.CRITICAL,
        level=MANDATORY,
        fix=(
            "Keep protect and the CanNotDelete lock on every stateful resource: remove azure-dr:removal_policy "
            "destroy and azure-dr:locks false (or, for a throw-away environment only, waive require_protect and "
            "require_locks in its policy config)."
        ),
        config=("removal_policy", "locks"),
        thresholds=(
            Threshold("require_protect", True, "require protect on stateful resources (off for throw-away stacks)"),
            Threshold("require_locks", True, "require a CanNotDelete lock (off for throwaway stacks)"),
        ),
    ),
    check,
)
