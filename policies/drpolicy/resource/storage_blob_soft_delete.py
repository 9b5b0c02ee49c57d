"""Deleted blobs stay recoverable for at least the retention the objectives ask for."""

from pulumi_policy import Severity

from drpolicy.checks import retention_policy
from drpolicy.framework import MANDATORY, ResourceRule, Rule, Threshold
from drpolicy.services import BLOB_SERVICE

RULE = ResourceRule(
    Rule(
        id="storage-blob-soft-delete",
        title="Blob soft delete keeps deleted blobs for the objective",
        service="storage",
        objective="retention",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Raise azure-dr:storage.blob_soft_delete_days to at least min_days.",
        config=("storage.blob_soft_delete_days", "storage"),
        equivalents=(
            "Checkov CKV2_AZURE_38 (no minimum days); "
            "Azure Policy Configure soft delete for blobs and containers (DINE); "
            "PSRule Azure.Storage.SoftDelete"
        ),
        thresholds=(Threshold("min_days", 30, "minimum soft-delete retention in days (objectives)", 1),),
    ),
    (BLOB_SERVICE,),
    retention_policy("deleteRetentionPolicy"),
)
