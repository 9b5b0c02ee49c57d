"""Container registries are reachable only over private endpoints. The SDK's default is Enabled."""

from pulumi_policy import Severity

from drpolicy.checks import public_network_disabled
from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import REGISTRY

RULE = ResourceRule(
    Rule(
        id="acr-public-network",
        title="Container registries disable public network access",
        service="acr",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Leave azure-dr:registry.public_network_access false (the default) and reach the registry through a private"
            " endpoint (azure-dr:registry.private_endpoint)."
        ),
        config=("registry.public_network_access", "registry.private_endpoint", "registry"),
        equivalents=(
            "Checkov CKV_AZURE_139; Azure Policy Public network access should be disabled for Container registries; "
            "PSRule Azure.ACR.Firewall"
        ),
    ),
    (REGISTRY,),
    public_network_disabled(),
)
