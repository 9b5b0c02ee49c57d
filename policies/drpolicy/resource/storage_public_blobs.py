"""No container of a storage account can be made anonymously readable.

The SDK documents an absent ``allowBlobPublicAccess`` as false, so only an explicit true is a violation.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import STORAGE_ACCOUNT


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if props.get("allowBlobPublicAccess") is True:
        yield "allowBlobPublicAccess is true; set it to false so no container can allow anonymous reads"


RULE = ResourceRule(
    Rule(
        id="storage-public-blobs",
        title="Storage accounts forbid anonymous blob access",
        service="storage",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Set allowBlobPublicAccess false, or leave it unset.",
        config=("storage",),
        equivalents="Checkov CKV_AZURE_190, CKV2_AZURE_47",
    ),
    (STORAGE_ACCOUNT,),
    check,
)
