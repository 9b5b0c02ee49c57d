"""Key Vaults are reachable only over private endpoints. The SDK sends ``publicNetworkAccess = enabled`` by default.

Azure spells the value in lower case (``disabled``) for Key Vault; the comparison ignores case.
"""

from pulumi_policy import Severity

from drpolicy.checks import public_network_disabled
from drpolicy.framework import MANDATORY, ResourceRule, Rule
from drpolicy.services import KEY_VAULT, PUBLIC_ACCESS_PATH

RULE = ResourceRule(
    Rule(
        id="kv-public-network",
        title="Key Vaults disable public network access",
        service="keyvault",
        objective="security",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Set properties.publicNetworkAccess disabled and reach the vault through a private endpoint (azure-"
            "dr:keyvault.private_endpoint)."
        ),
        config=("keyvault.private_endpoint", "keyvault"),
        equivalents=(
            "Checkov CKV_AZURE_189; Azure Policy Azure Key Vault should disable public network access; "
            "PSRule Azure.KeyVault.Firewall"
        ),
    ),
    (KEY_VAULT,),
    public_network_disabled(PUBLIC_ACCESS_PATH[KEY_VAULT]),
)
