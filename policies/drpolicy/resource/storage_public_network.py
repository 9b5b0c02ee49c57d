"""Storage accounts are reachable only over private endpoints, never from the internet."""

from pulumi_policy import Severity

from drpolicy.checks import public_network_disabled
from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import STORAGE_ACCOUNT

RULE = ResourceRule(
    Rule(
        id="storage-public-network",
        title="Storage accounts disable public network access",
        service="storage",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Set publicNetworkAccess Disabled and reach the account through a private endpoint (azure-"
            "dr:storage.private_endpoint)."
        ),
        config=("storage.private_endpoint", "storage"),
        equivalents=(
            "Checkov CKV_AZURE_59; Azure Policy Storage accounts should disable public network access; "
            "PSRule Azure.Storage.Firewall"
        ),
    ),
    (STORAGE_ACCOUNT,),
    public_network_disabled(),
)
