"""Deleted containers stay recoverable for at least the retention the objectives ask for."""

from pulumi_policy import Severity

from drpolicy.checks import retention_policy
from drpolicy.framework import MANDATORY, ResourceRule, Rule, Threshold
from drpolicy.services import BLOB_SERVICE

RULE = ResourceRule(
    Rule(
        id="storage-container-soft-delete",
        title="Container soft delete keeps deleted containers for the objective",
        service="storage",
        objective="retention",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Raise azure-dr:storage.container_soft_delete_days to at least min_days.",
        config=("storage.container_soft_delete_days", "storage"),
        equivalents=(
            "Azure Policy Configure soft delete for blobs and containers (DINE); "
            "PSRule Azure.Storage.ContainerSoftDelete"
        ),
        thresholds=(Threshold("min_days", 30, "minimum soft-delete retention in days (objectives)", 1),),
    ),
    (BLOB_SERVICE,),
    retention_policy("containerDeleteRetentionPolicy"),
)
