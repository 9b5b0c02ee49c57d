"""Key Vaults are reachable only over private endpoints. The SDK sends ``publicNetworkAccess = enabled`` by default.

Azure spells the value in lower case (``disabled``) for Key Vault; the comparison ignores case.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import MANDATORY, ResourceRule, Rule, dig
from drpolicy.services import KEY_VAULT


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    access = dig(props, "properties.publicNetworkAccess")
    if str(access or "").lower() != "disabled":
        yield (
            f"properties.publicNetworkAccess is {access or 'unset (enabled)'}; set it to disabled and use "
            "private endpoints"
        )


RULE = ResourceRule(
    Rule(
        id="kv-public-network",
        title="Key Vaults disable public network access",
        service="keyvault",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        equivalents=(
            "Checkov CKV_AZURE_189; Azure Policy Azure Key Vault should disable public network access; "
            "PSRule Azure.KeyVault.Firewall"
        ),
    ),
    (KEY_VAULT,),
    check,
)
