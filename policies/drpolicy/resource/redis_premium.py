"""Redis caches run the Premium tier: persistence, geo-replication and zone redundancy need it.

Basic has no replica at all; Standard has one, but nothing that survives a regional outage.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule, dig
from drpolicy.services import REDIS


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    sku = dig(props, "sku.name")
    if sku != "Premium":
        yield f"sku.name is {sku}; set it to Premium (family P) for persistence, zones and geo-replication"


RULE = ResourceRule(
    Rule(
        id="redis-premium",
        title="Redis caches use the Premium tier",
        service="redis",
        objective="redundancy",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Use the Premium SKU (family P) for the cache; azure-dr:redis.capacity picks P1-P5.",
        config=("redis.capacity", "redis"),
        equivalents="Checkov CKV_AZURE_230 (Standard or Premium); PSRule Azure.Redis.MinSKU",
    ),
    (REDIS,),
    check,
)
