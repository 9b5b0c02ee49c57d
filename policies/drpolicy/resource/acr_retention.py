"""Container registries purge untagged manifests after a set time, so storage and restore sets stay bounded."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule, dig
from drpolicy.services import REGISTRY


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    status = dig(props, "policies.retentionPolicy.status")
    if str(status or "").lower() != "enabled":
        yield f"policies.retentionPolicy.status is {status or 'unset (disabled)'}; set it to enabled with days"


RULE = ResourceRule(
    Rule(
        id="acr-retention",
        title="Container registries have a retention policy for untagged manifests",
        service="acr",
        objective="retention",
        severity=Severity.MEDIUM,
        level=MANDATORY,
        fix="Keep azure-dr:registry.retention_days above 0 so the untagged-manifest retention policy is enabled.",
        config=("registry.retention_days", "registry"),
        equivalents="Checkov CKV_AZURE_167; PSRule Azure.ACR.Retention",
    ),
    (REGISTRY,),
    check,
)
