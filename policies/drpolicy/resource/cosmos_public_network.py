"""Cosmos DB accounts are reachable only over private endpoints, never from the internet."""

from pulumi_policy import Severity

from drpolicy.checks import public_network_disabled
from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import COSMOS_ACCOUNT

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
    public_network_disabled(),
)
