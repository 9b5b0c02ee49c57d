"""Storage accounts are used with Entra identities, not the account keys or SAS tokens signed with them.

Azure allows shared-key access unless ``allowSharedKeyAccess`` is false, so an absent value is true.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import ADVISORY, ResourceRule, Rule
from drpolicy.services import STORAGE_ACCOUNT


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if props.get("allowSharedKeyAccess") is not False:
        yield "allowSharedKeyAccess is not false; set it to false and grant access with Entra RBAC"


RULE = ResourceRule(
    Rule(
        id="storage-shared-key",
        title="Storage accounts disable shared-key access",
        service="storage",
        objective="security",
        severity=Severity.MEDIUM,
        level=ADVISORY,
        fix="Set allowSharedKeyAccess false and grant data access with Entra RBAC roles.",
        config=("storage",),
        equivalents="Checkov CKV2_AZURE_40; Azure Policy Storage accounts should prevent shared key access",
    ),
    (STORAGE_ACCOUNT,),
    check,
)
