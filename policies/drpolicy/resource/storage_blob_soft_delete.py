"""Deleted blobs stay recoverable for at least the retention the objectives ask for."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.facts import number
from drpolicy.framework import MANDATORY, ResourceRule, Rule, Threshold, dig
from drpolicy.services import BLOB_SERVICE


def check(_type: str, props: Mapping[str, Any], settings: Mapping[str, Any]) -> Iterator[str]:
    minimum = settings["min_days"]
    if dig(props, "deleteRetentionPolicy.enabled") is not True:
        yield f"deleteRetentionPolicy.enabled is not true; enable it with days of at least {minimum}"
        return
    days = number(dig(props, "deleteRetentionPolicy.days"), 0)
    if days < minimum:
        yield f"deleteRetentionPolicy.days is {days:g}; set it to at least {minimum}"


RULE = ResourceRule(
    Rule(
        id="storage-blob-soft-delete",
        title="Blob soft delete keeps deleted blobs for the objective",
        service="storage",
        objective="retention",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents=(
            "Checkov CKV2_AZURE_38 (no minimum days); "
            "Azure Policy Configure soft delete for blobs and containers (DINE); "
            "PSRule Azure.Storage.SoftDelete"
        ),
        thresholds=(Threshold("min_days", 30, "minimum soft-delete retention in days (objectives)", 1),),
    ),
    (BLOB_SERVICE,),
    check,
)
