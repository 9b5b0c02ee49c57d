"""Key Vault data access is granted with Azure RBAC, not vault access policies.

RBAC assignments are audited, can be scoped to one secret and are managed like every other role; the SDK
sends ``enableRbacAuthorization = false`` when it is not set.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from drpolicy.framework import ADVISORY, ResourceRule, Rule, dig
from drpolicy.services import KEY_VAULT


def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
    if dig(props, "properties.enableRbacAuthorization") is not True:
        yield "properties.enableRbacAuthorization is not true; set it and replace access policies with role assignments"


RULE = ResourceRule(
    Rule(
        id="kv-rbac",
        title="Key Vaults use the RBAC permission model",
        service="keyvault",
        objective="security",
        severity=Severity.MEDIUM,
        level=ADVISORY,
        fix="Set properties.enableRbacAuthorization true and grant Key Vault data roles instead of access policies.",
        config=("keyvault",),
        equivalents="Azure Policy Azure Key Vault should use RBAC permission model; PSRule Azure.KeyVault.RBAC",
    ),
    (KEY_VAULT,),
    check,
)
