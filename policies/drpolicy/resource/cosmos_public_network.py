"""Cosmos DB accounts are reachable only over private endpoints, never from the internet."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import COSMOS_ACCOUNT


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    access = props.get("publicNetworkAccess")
    if access != "Disabled":
        yield f"publicNetworkAccess is {access or 'unset (Enabled)'}; set it to Disabled and use private endpoints"


RULE = ResourceRule(
    Rule(
        id="cosmos-public-network",
        title="Cosmos DB accounts disable public network access",
        service="cosmosdb",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents=(
            "Checkov CKV_AZURE_101; Azure Policy Azure Cosmos DB should disable public network access; "
            "PSRule Azure.Cosmos.PublicAccess"
        ),
    ),
    (COSMOS_ACCOUNT,),
    check,
)
