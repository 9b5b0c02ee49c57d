"""PostgreSQL servers are reachable only over private networking, never from the internet."""

from pulumi_policy import Severity

from drpolicy.checks import public_network_disabled
from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import PG_SERVER

RULE = ResourceRule(
    Rule(
        id="pg-public-network",
        title="PostgreSQL servers disable public network access",
        service="postgresql",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Leave network.publicNetworkAccess Disabled and reach the server through a private endpoint (azure-"
            "dr:postgres.private_endpoint)."
        ),
        config=("postgres.private_endpoint", "postgres"),
        equivalents=(
            "Azure Policy Public network access should be disabled for PostgreSQL flexible servers; "
            "Checkov CKV2_AZURE_57 (private endpoint only)"
        ),
    ),
    (PG_SERVER,),
    public_network_disabled(
        "network.publicNetworkAccess", "reach the server through a private endpoint or VNet integration"
    ),
)
