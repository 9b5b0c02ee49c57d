"""Storage accounts keep a copy in the paired region, so a regional outage loses no blobs.

Only the geo SKUs (GRS, RA-GRS, GZRS, RA-GZRS) replicate outside the primary region.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.azure_facts.recovery import GEO_REDUNDANT_STORAGE_SKUS
from drpolicy.framework import MANDATORY, ResourceRule, Rule, dig
from drpolicy.services import STORAGE_ACCOUNT


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    sku = dig(props, "sku.name")
    if sku not in GEO_REDUNDANT_STORAGE_SKUS:
        yield f"sku.name is {sku}; use Standard_GZRS or Standard_RAGZRS (or Standard_GRS/RAGRS without zones)"


RULE = ResourceRule(
    Rule(
        id="storage-geo-redundancy",
        title="Storage accounts use geo-redundant replication",
        service="storage",
        objective="redundancy",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Set azure-dr:storage.sku to a geo SKU: Standard_RAGZRS or Standard_GZRS where the region has zones, "
            "Standard_RAGRS or Standard_GRS where it has none."
        ),
        config=("storage.sku", "storage"),
        equivalents=(
            "Checkov CKV_AZURE_206; Azure Policy Geo-redundant storage should be enabled for Storage Accounts; "
            "PSRule Azure.Storage.UseReplication"
        ),
    ),
    (STORAGE_ACCOUNT,),
    check,
)
