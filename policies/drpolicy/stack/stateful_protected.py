"""Every stateful resource is protected (``protect``) and carries a CanNotDelete lock.

``protect`` stops Pulumi deleting or replacing it; the lock stops everything else (the portal, a script). Locks
can be waived by policy config for throwaway environments; ``protect`` cannot.
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
        if not resource.opts.protect:
            yield (
                f"{resource.name} is not protected (protect=True): a replace or destroy would delete its data",
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
            "Keep protect and the CanNotDelete lock on every stateful resource: remove azure-dr:locks false (or waive "
            "require_locks in policy config for a throwaway environment)."
        ),
        config=("locks",),
        thresholds=(Threshold("require_locks", True, "require a CanNotDelete lock (off for throwaway stacks)"),),
    ),
    check,
)
