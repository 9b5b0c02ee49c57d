"""Cosmos DB accounts replicate to a second region and fail over to it without waiting for a person."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import COSMOS_ACCOUNT


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    locations = props.get("locations") or []
    if len(locations) < 2:
        yield (
            f"locations lists {len(locations)} region(s); add the DR region with failoverPriority 1 "
            "so the account is replicated"
        )
    if props.get("enableAutomaticFailover") is not True:
        yield "enableAutomaticFailover is not true; set it so Azure fails over to the next region on an outage"


RULE = ResourceRule(
    Rule(
        id="cosmos-multi-region",
        title="Cosmos DB accounts span at least two regions with automatic failover",
        service="cosmosdb",
        objective="redundancy",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Keep azure-dr:cosmos.multi_region true (the default): the account spans both regions with automatic "
            "failover."
        ),
        config=("cosmos.multi_region", "cosmos"),
        equivalents="none (Azure Policy 'Azure Cosmos DB allowed locations' only restricts regions)",
    ),
    (COSMOS_ACCOUNT,),
    check,
)
