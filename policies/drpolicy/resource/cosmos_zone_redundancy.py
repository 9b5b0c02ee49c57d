"""Every Cosmos DB region survives the loss of a zone, wherever that region has availability zones."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.facts import zones_expected
from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import COSMOS_ACCOUNT


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    for index, location in enumerate(props.get("locations") or []):
        if not isinstance(location, Mapping):
            continue
        name = location.get("locationName")
        if zones_expected(name) and location.get("isZoneRedundant") is not True:
            yield f"locations[{index}] ({name}) has isZoneRedundant unset or false; set it to true"


RULE = ResourceRule(
    Rule(
        id="cosmos-zone-redundancy",
        title="Cosmos DB regions are zone redundant where the region has zones",
        service="cosmosdb",
        objective="redundancy",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Set isZoneRedundant true on every location of the account in a region with availability zones.",
        config=("cosmos", "region"),
        equivalents=(
            "Azure Policy [Preview] Cosmos Database Accounts should be Zone Redundant; "
            "PSRule Azure.Cosmos.AvailabilityZone"
        ),
    ),
    (COSMOS_ACCOUNT,),
    check,
)
