"""Container registries are reachable only over private endpoints. The SDK's default is Enabled."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import REGISTRY


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    access = props.get("publicNetworkAccess")
    if access != "Disabled":
        yield f"publicNetworkAccess is {access or 'unset (Enabled)'}; set it to Disabled and use private endpoints"


RULE = ResourceRule(
    Rule(
        id="acr-public-network",
        title="Container registries disable public network access",
        service="acr",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents=(
            "Checkov CKV_AZURE_139; Azure Policy Public network access should be disabled for Container registries; "
            "PSRule Azure.ACR.Firewall"
        ),
    ),
    (REGISTRY,),
    check,
)
