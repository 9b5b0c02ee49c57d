"""PostgreSQL servers are reachable only over private networking, never from the internet."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule, dig
from drpolicy.services import PG_SERVER


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    access = dig(props, "network.publicNetworkAccess")
    if access != "Disabled":
        yield (
            f"network.publicNetworkAccess is {access or 'unset (Enabled)'}; set it to Disabled and reach the "
            "server through a private endpoint or VNet integration"
        )


RULE = ResourceRule(
    Rule(
        id="pg-public-network",
        title="PostgreSQL servers disable public network access",
        service="postgresql",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents=(
            "Azure Policy Public network access should be disabled for PostgreSQL flexible servers; "
            "Checkov CKV2_AZURE_57 (private endpoint only)"
        ),
    ),
    (PG_SERVER,),
    check,
)
