"""Key Vault with soft delete, purge protection, RBAC authorization and no public network access."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import keyvault

from components.config import KeyVault as KeyVaultConfig
from components.interfaces import DataInterfaces, data_tags, protect_data, stateful


@dataclass(frozen=True)
class KeyVaultArgs:
    vault_name: str
    tenant_id: pulumi.Input[str]
    config: KeyVaultConfig
    interfaces: DataInterfaces


class KeyVault(pulumi.ComponentResource):
    """The region's vault. Soft delete and purge protection are irreversible in Azure, so they are not options."""

    vault_id: pulumi.Output[str]
    vault_uri: pulumi.Output[str]

    def __init__(self, name: str, args: KeyVaultArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:keyvault:KeyVault", name, None, opts)
        i = args.interfaces
        vault = keyvault.Vault(
            f"{name}-vault",
            vault_name=args.vault_name,
            resource_group_name=i.resource_group_name,
            location=i.location,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=args.tenant_id,
                sku=keyvault.SkuArgs(family="A", name=keyvault.SkuName(args.config.sku)),
                enable_soft_delete=True,
                soft_delete_retention_in_days=args.config.soft_delete_retention_days,
                enable_purge_protection=True,
                enable_rbac_authorization=True,
                public_network_access="disabled",
                network_acls=keyvault.NetworkRuleSetArgs(bypass="AzureServices", default_action="Deny"),
                enabled_for_deployment=False,
                enabled_for_disk_encryption=False,
                enabled_for_template_deployment=False,
            ),
            tags=data_tags(i, "keyvault-regional"),
            opts=stateful(self),
        )
        protect_data(self, name, vault, i, private_endpoint=args.config.private_endpoint, private_link_group="vault")
        self.vault_id = vault.id
        self.vault_uri = vault.properties.vault_uri
        self.register_outputs({"vault_id": self.vault_id, "vault_uri": self.vault_uri})
