"""AKS node pools spread over availability zones, where the region has them.

A pool in one zone loses the whole cluster's capacity with that zone; ``availabilityZones`` is fixed when the
pool is created, so the rule catches it before the cluster exists. UK West and West US have no zones.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.facts import zones_expected
from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import MANAGED_CLUSTER


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    location = props.get("location")
    if not zones_expected(location):
        return
    for pool in props.get("agentPoolProfiles") or []:
        zones = pool.get("availabilityZones") or []
        if len(zones) < 2:
            yield (
                f"agent pool {pool.get('name')} lists {len(zones)} availability zone(s) in {location}; "
                "list at least two (1, 2, 3) when the pool is created"
            )


RULE = ResourceRule(
    Rule(
        id="aks-zones",
        title="AKS node pools span availability zones where the region has them",
        service="aks",
        objective="redundancy",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents="PSRule Azure.AKS.AvailabilityZone; Azure Policy (none built in for pools)",
    ),
    (MANAGED_CLUSTER,),
    check,
)
