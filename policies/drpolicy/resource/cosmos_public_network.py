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
        fix=(
            "Set publicNetworkAccess Disabled and reach the account through a private endpoint (azure-"
            "dr:cosmos.private_endpoint)."
        ),
        config=("cosmos.private_endpoint", "cosmos"),
        equivalents=(
            "Checkov CKV_AZURE_101; Azure Policy Azure Cosmos DB should disable public network access; "
            "PSRule Azure.Cosmos.PublicAccess"
        ),
    ),
    (COSMOS_ACCOUNT,),
    public_network_disabled(),
)
