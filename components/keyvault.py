"""Key Vault with soft delete, purge protection, RBAC authorization and no public network access."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
from pulumi_azure_native import keyvault

from .interfaces import DataComponent, DataInterfaceArgs, data_tags, fixed_output, stateful


@dataclass(frozen=True, kw_only=True)
class KeyVaultArgs(DataInterfaceArgs):
    """A vault with RBAC authorization, soft delete and purge protection, and no public network access.

    Key Vault has no managed identity or customer-managed key of its own (it *holds* keys), so those two
    interfaces are absent.
    """

    vault_name: str
    tenant_id: pulumi.Input[str]
    sku: Literal["standard", "premium"] = "standard"
    """``premium`` for HSM-backed keys."""
    soft_delete_retention_days: int = 90
    """7-90; default: 90, the longest. Fixed once the vault exists (Learn, "Azure Key Vault soft-delete")."""


class KeyVault(DataComponent):
    """The region's vault. Soft delete and purge protection are irreversible in Azure, so they are not options."""

    vault: keyvault.Vault
    vault_id: pulumi.Output[str]
    vault_name: pulumi.Output[str]
    vault_uri: pulumi.Output[str]

    def __init__(self, name: str, args: KeyVaultArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:keyvault:KeyVault", name, None, opts)
        i = args
        vault = keyvault.Vault(
            f"{name}-vault",
            vault_name=args.vault_name,
            resource_group_name=i.resource_group_name,
            location=i.location,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=args.tenant_id,
                sku=keyvault.SkuArgs(family="A", name=keyvault.SkuName(args.sku)),
                enable_soft_delete=True,
                soft_delete_retention_in_days=args.soft_delete_retention_days,
                enable_purge_protection=True,
                enable_rbac_authorization=True,
                public_network_access="disabled",
                network_acls=keyvault.NetworkRuleSetArgs(bypass="AzureServices", default_action="Deny"),
                enabled_for_deployment=False,
                enabled_for_disk_encryption=False,
                enabled_for_template_deployment=False,
            ),
            tags=data_tags(i.tags, "keyvault-regional"),
            opts=stateful(self, removal_policy=args.removal_policy),
        )
        self.apply_interfaces(name, vault, args, private_link_group="vault")
        self.vault = vault
        self.vault_id = vault.id
        self.vault_name = fixed_output(vault, args.vault_name)
        self.vault_uri = vault.properties.vault_uri
        self.register_outputs(
            {
                "vault_id": self.vault_id,
                "vault_name": self.vault_name,
                "vault_uri": self.vault_uri,
                **self.interface_outputs(),
            }
        )
