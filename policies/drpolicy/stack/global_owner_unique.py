"""Exactly one stack owns the global objects (routing profile, Cosmos account, registry).

Their names are globally unique: a second owner would try to create them again and fail, or worse, fight the
first over them. The stack that reads a peer checks that the peer does not own them too.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from drpolicy.facts import of_type, peer_outputs
from drpolicy.framework import MANDATORY, Rule, StackRule
from drpolicy.services import AFD_PROFILE, COSMOS_ACCOUNT, REGISTRY, TM_PROFILE

GLOBAL_TYPES = (AFD_PROFILE, TM_PROFILE, COSMOS_ACCOUNT, REGISTRY)


def check(args: StackValidationArgs, _settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    if peer_outputs(args.resources).get("owns_global") is not True:
        return
    for resource in of_type(args.resources, *GLOBAL_TYPES):
        # Config is namespaced by the project's name, the second field of the URN.
        project = resource.urn.split("::")[1] if resource.urn.count("::") >= 3 else "azure-dr"
        yield (
            f"{resource.name}: the peer stack already owns the global layer; set {project}:owns_global to false "
            "on one of the two stacks",
            resource.urn,
        )


RULE = StackRule(
    Rule(
        id="global-owner-unique",
        title="Exactly one stack owns the global objects",
        service="all",
        objective="coverage",
        severity=Severity.HIGH,
        level=MANDATORY,
        needs_peer=True,
        fix="Set azure-dr:owns_global to false on one of the two stacks.",
        config=("owns_global",),
    ),
    check,
)
