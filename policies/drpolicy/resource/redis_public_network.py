"""Redis caches are reachable only over private endpoints, never from the internet."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import REDIS


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    access = props.get("publicNetworkAccess")
    if access != "Disabled":
        yield f"publicNetworkAccess is {access or 'unset (Enabled)'}; set it to Disabled and use private endpoints"


RULE = ResourceRule(
    Rule(
        id="redis-public-network",
        title="Redis caches disable public network access",
        service="redis",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents=(
            "Checkov CKV_AZURE_89; Azure Policy Azure Cache for Redis should disable public network access; "
            "PSRule Azure.Redis.PublicNetworkAccess"
        ),
    ),
    (REDIS,),
    check,
)
