"""Container registries run the Premium tier: geo-replication, zone redundancy and retention need it."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule, dig
from drpolicy.services import REGISTRY


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    sku = dig(props, "sku.name")
    if sku != "Premium":
        yield f"sku.name is {sku}; set it to Premium so the registry can be geo-replicated and zone redundant"


RULE = ResourceRule(
    Rule(
        id="acr-premium",
        title="Container registries use the Premium tier",
        service="acr",
        objective="redundancy",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Use the Premium SKU for the registry (geo-replication, zone redundancy and retention need it).",
        config=("registry",),
        equivalents="Checkov CKV_AZURE_165 (Premium plus a geo-replication)",
    ),
    (REGISTRY,),
    check,
)
