"""Storage accounts accept HTTPS only. Azure's default has been HTTPS-only since 2019, so only false fails."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import STORAGE_ACCOUNT


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if props.get("enableHttpsTrafficOnly") is False:
        yield "enableHttpsTrafficOnly is false; set it to true (or leave it unset) so plain HTTP is refused"


RULE = ResourceRule(
    Rule(
        id="storage-https-only",
        title="Storage accounts accept secure transfer only",
        service="storage",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Set enableHttpsTrafficOnly true, or leave it unset.",
        config=("storage",),
        equivalents=(
            "Checkov CKV_AZURE_3; Azure Policy Secure transfer to storage accounts should be enabled; "
            "PSRule Azure.Storage.SecureTransfer"
        ),
    ),
    (STORAGE_ACCOUNT,),
    check,
)
