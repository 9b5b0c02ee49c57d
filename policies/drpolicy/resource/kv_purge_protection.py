"""Soft-deleted Key Vault objects cannot be purged before their retention ends, not even by an administrator."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule, dig
from drpolicy.services import KEY_VAULT


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if dig(props, "properties.enablePurgeProtection") is not True:
        yield "properties.enablePurgeProtection is not true; set it to true (it cannot be turned off again)"


RULE = ResourceRule(
    Rule(
        id="kv-purge-protection",
        title="Key Vaults enable purge protection",
        service="keyvault",
        objective="recoverability",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix="Set properties.enablePurgeProtection true (it cannot be turned off again).",
        config=("keyvault",),
        equivalents=(
            "Checkov CKV_AZURE_110, CKV_AZURE_42; Azure Policy Key vaults should have deletion protection enabled; "
            "PSRule Azure.KeyVault.PurgeProtect"
        ),
    ),
    (KEY_VAULT,),
    check,
)
