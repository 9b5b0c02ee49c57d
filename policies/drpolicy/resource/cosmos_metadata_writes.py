"""Cosmos DB account keys cannot change databases, containers or throughput: only the control plane can."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import ADVISORY, ResourceRule, Rule
from drpolicy.services import COSMOS_ACCOUNT


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if props.get("disableKeyBasedMetadataWriteAccess") is not True:
        yield (
            "disableKeyBasedMetadataWriteAccess is not true; set it so a leaked key cannot delete databases "
            "or containers"
        )


RULE = ResourceRule(
    Rule(
        id="cosmos-metadata-writes",
        title="Cosmos DB accounts block key-based metadata writes",
        service="cosmosdb",
        objective="security",
        severity=Severity.MEDIUM,
        level=ADVISORY,
        fix=(
            "Set disableKeyBasedMetadataWriteAccess true on the account; change databases and containers through the "
            "control plane (Pulumi)."
        ),
        config=("cosmos",),
        equivalents=(
            "Checkov CKV_AZURE_132; Azure Policy key-based metadata write access disabled (Append); "
            "PSRule Azure.Cosmos.DisableMetadataWrite"
        ),
    ),
    (COSMOS_ACCOUNT,),
    check,
)
