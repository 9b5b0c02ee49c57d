"""Deleted containers stay recoverable for at least the retention the objectives ask for."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.facts import number
from drpolicy.framework import MANDATORY, ResourceRule, Rule, Threshold, dig
from drpolicy.services import BLOB_SERVICE


def check(_type: str, props: Mapping[str, Any], settings: Mapping[str, Any]) -> Iterator[str]:
    minimum = settings["min_days"]
    if dig(props, "containerDeleteRetentionPolicy.enabled") is not True:
        yield f"containerDeleteRetentionPolicy.enabled is not true; enable it with days of at least {minimum}"
        return
    days = number(dig(props, "containerDeleteRetentionPolicy.days"), 0)
    if days < minimum:
        yield f"containerDeleteRetentionPolicy.days is {days:g}; set it to at least {minimum}"


RULE = ResourceRule(
    Rule(
        id="storage-container-soft-delete",
        title="Container soft delete keeps deleted containers for the objective",
        service="storage",
        objective="retention",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents=(
            "Azure Policy Configure soft delete for blobs and containers (DINE); "
            "PSRule Azure.Storage.ContainerSoftDelete"
        ),
        thresholds=(Threshold("min_days", 30, "minimum soft-delete retention in days (objectives)", 1),),
    ),
    (BLOB_SERVICE,),
    check,
)
