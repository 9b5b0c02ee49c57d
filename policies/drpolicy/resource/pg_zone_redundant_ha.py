"""PostgreSQL servers survive the loss of a zone: high availability with the standby in another zone.

A read replica is the regional DR copy and has no HA of its own to configure, and a region without
availability zones cannot host a zone-redundant standby, so neither is judged.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.facts import created_as_replica, replicating, zones_expected
from drpolicy.framework import MANDATORY, ResourceRule, Rule, dig
from drpolicy.services import PG_SERVER


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    still_replica = (created_as_replica(props) and "highAvailability" not in props) or replicating(props)
    if still_replica or not zones_expected(props.get("location")):
        return
    mode = dig(props, "highAvailability.mode") or "Disabled"  # the SDK's default
    if mode != "ZoneRedundant":
        yield (
            f"highAvailability.mode is {mode}; set it to ZoneRedundant (needs the GeneralPurpose or "
            "MemoryOptimized tier) so a zone outage fails over to the standby"
        )


RULE = ResourceRule(
    Rule(
        id="pg-zone-redundant-ha",
        title="PostgreSQL servers run zone-redundant high availability where the region has zones",
        service="postgresql",
        objective="redundancy",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Set azure-dr:postgres.high_availability to ZoneRedundant, or remove it, with azure-dr:postgres.sku_tier "
            "GeneralPurpose or MemoryOptimized."
        ),
        config=("postgres.high_availability", "postgres.sku_tier", "postgres"),
        equivalents=(
            "Azure Policy [Preview] Azure Database for PostgreSQL Flexible Server should be Zone Resilient; "
            "PSRule Azure.PostgreSQL.ZoneRedundantHA"
        ),
    ),
    (PG_SERVER,),
    check,
)
