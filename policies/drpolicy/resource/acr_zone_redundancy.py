"""A container registry and each of its replications survive the loss of a zone, where the region has zones.

Zone redundancy is chosen when a registry or replication is created; it cannot be switched on later.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.facts import zones_expected
from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import REGISTRY, REGISTRY_REPLICATION


def check(type_: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    location = props.get("location")
    if not zones_expected(location):
        return
    setting = props.get("zoneRedundancy") or "Disabled"  # Azure's default
    if setting != "Enabled":
        what = "replication" if type_ == REGISTRY_REPLICATION else "registry"
        yield (
            f"zoneRedundancy is {setting} on this {what} in {location or 'an unset location'}; "
            "set it to Enabled (only possible at creation)"
        )


RULE = ResourceRule(
    Rule(
        id="acr-zone-redundancy",
        title="Container registries and their replications are zone redundant where the region has zones",
        service="acr",
        objective="redundancy",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Create the registry and its replications with zoneRedundancy Enabled in regions with zones; it is chosen "
            "at creation, so an existing one must be recreated."
        ),
        config=("registry", "region"),
        equivalents=(
            "Checkov CKV_AZURE_233; Azure Policy [Preview] Container Registry should be Zone Redundant (registry only)"
        ),
    ),
    (REGISTRY, REGISTRY_REPLICATION),
    check,
)
