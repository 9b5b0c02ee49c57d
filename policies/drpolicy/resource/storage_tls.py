"""Storage accounts refuse clients older than TLS 1.2. Without ``minimumTlsVersion`` older versions may be allowed."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import STORAGE_ACCOUNT

ALLOWED = frozenset({"TLS1_2", "TLS1_3"})


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    version = props.get("minimumTlsVersion")
    if version not in ALLOWED:
        yield f"minimumTlsVersion is {version or 'unset'}; set it to TLS1_2"


RULE = ResourceRule(
    Rule(
        id="storage-tls",
        title="Storage accounts require TLS 1.2 or newer",
        service="storage",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Set minimumTlsVersion to TLS1_2.",
        config=("storage",),
        equivalents=(
            "Checkov CKV_AZURE_44; Azure Policy Storage accounts should have the specified minimum TLS version; "
            "PSRule Azure.Storage.MinTLS"
        ),
    ),
    (STORAGE_ACCOUNT,),
    check,
)
