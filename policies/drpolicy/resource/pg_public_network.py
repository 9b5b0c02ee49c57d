"""PostgreSQL servers are reachable only over private networking, never from the internet: public access off
(reached through private endpoints) or VNet integration (the server lives in a delegated subnet and has no public
endpoint; Learn, "Networking overview for Azure Database for PostgreSQL flexible server")."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.checks import public_network_disabled
from drpolicy.facts import vnet_integrated
from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import PG_SERVER, PUBLIC_ACCESS_PATH

_public_access_off = public_network_disabled(
    PUBLIC_ACCESS_PATH[PG_SERVER], "reach the server through a private endpoint or VNet integration"
)


def check(type_: str, props: Mapping[str, Any], settings: Mapping[str, Any]) -> Iterator[str]:
    if not vnet_integrated(props):
        yield from _public_access_off(type_, props, settings)


RULE = ResourceRule(
    Rule(
        id="pg-public-network",
        title="PostgreSQL servers disable public network access",
        service="postgresql",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Leave network.publicNetworkAccess Disabled and reach the server through a private endpoint, or use VNet "
            "integration (azure-dr:network.postgres_access)."
        ),
        config=("network.postgres_access", "network", "postgres"),
        equivalents=(
            "Azure Policy Public network access should be disabled for PostgreSQL flexible servers; "
            "Checkov CKV2_AZURE_57 (private endpoint only)"
        ),
    ),
    (PG_SERVER,),
    check,
)
