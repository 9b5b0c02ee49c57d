"""Redis caches spread their nodes over availability zones, where the region has zones.

Either at least two explicit ``zones`` or ``zonalAllocationPolicy = Automatic`` (Azure picks the zones).
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.facts import zones_expected
from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import REDIS


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    location = props.get("location")
    if not zones_expected(location):
        return
    zones = props.get("zones") or []
    policy = props.get("zonalAllocationPolicy")
    if len(zones) < 2 and policy != "Automatic":
        yield (
            f"zones lists {len(zones)} zone(s) and zonalAllocationPolicy is {policy or 'unset'} in "
            f"{location or 'an unset location'}; set zonalAllocationPolicy to Automatic or list at least two zones"
        )


RULE = ResourceRule(
    Rule(
        id="redis-zones",
        title="Redis caches are zone redundant where the region has zones",
        service="redis",
        objective="redundancy",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Set zonalAllocationPolicy Automatic, or list at least two zones, in a region with zones.",
        config=("redis", "region"),
        equivalents=(
            "Azure Policy [Preview] Azure Cache for Redis should be Zone Redundant; PSRule Azure.Redis.AvailabilityZone"
        ),
    ),
    (REDIS,),
    check,
)
