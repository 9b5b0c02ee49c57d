"""Geo-redundant storage: RA-GZRS by default, with every blob recovery feature on and shared keys off."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
from pulumi_azure_native import storage

from . import rules
from .interfaces import (
    CustomerManagedKeyArgs,
    DataComponent,
    DataInterfaceArgs,
    ManagedIdentitiesArgs,
    data_tags,
    fixed_output,
    key_identity_refusal,
    stateful,
)


@dataclass(frozen=True, kw_only=True)
class GeoStorageArgs(DataInterfaceArgs):
    """A StorageV2 account: geo-redundant, Entra-only (no shared keys), private, every blob recovery feature on."""

    account_name: str
    sku: Literal["Standard_RAGZRS", "Standard_GZRS", "Standard_RAGRS", "Standard_GRS"] = "Standard_RAGZRS"
    """Default: read-access geo-zone-redundant. A region without zones needs a GRS SKU."""
    blob_soft_delete_days: int = 365
    """Deleted or overwritten blobs stay recoverable this long. Default: 365, the maximum."""
    container_soft_delete_days: int = 365
    """Deleted containers stay recoverable this long. Default: 365, the maximum."""
    point_in_time_restore_days: int = 30
    """Fewer days than ``blob_soft_delete_days`` and no more than ``change_feed_retention_days``."""
    change_feed_retention_days: int = 365
    """Point-in-time restore replays the change feed. Default: 365."""
    managed_identities: ManagedIdentitiesArgs | None = None
    """The identities the resource runs as (system-assigned and/or user-assigned). Default: none."""
    customer_managed_key: CustomerManagedKeyArgs | None = None
    """Account encryption with your key (it can be set or changed at any time; Learn, "Customer-managed keys for
    Azure Storage encryption"). Default: Microsoft-managed keys."""


def _refusal(args: GeoStorageArgs) -> rules.Refusal | None:
    found = rules.storage(
        sku=args.sku,
        region=args.location,
        blob_soft_delete_days=args.blob_soft_delete_days,
        point_in_time_restore_days=args.point_in_time_restore_days,
        change_feed_retention_days=args.change_feed_retention_days,
    )
    return found or key_identity_refusal(args.customer_managed_key, args.managed_identities)


def _identity(mi: ManagedIdentitiesArgs | None) -> storage.IdentityArgs | None:
    if mi is None or not mi.any:
        return None
    return storage.IdentityArgs(
        type=mi.type_name("SystemAssigned,UserAssigned"),
        user_assigned_identities=list(mi.user_assigned_resource_ids) or None,
    )


def _encryption(cmk: CustomerManagedKeyArgs | None) -> storage.EncryptionArgs | None:
    """The key URI split into the vault URI and key name Storage asks for (versionless: auto-rotation)."""
    if cmk is None:
        return None
    parts = pulumi.Output.from_input(cmk.key_uri).apply(lambda uri: uri.rstrip("/").split("/"))
    return storage.EncryptionArgs(
        key_source="Microsoft.Keyvault",
        key_vault_properties=storage.KeyVaultPropertiesArgs(
            key_vault_uri=parts.apply(lambda p: "/".join(p[:3]) + "/"),
            key_name=parts.apply(lambda p: p[4]),
        ),
        encryption_identity=storage.EncryptionIdentityArgs(
            encryption_user_assigned_identity=cmk.user_assigned_identity_resource_id
        ),
        services=storage.EncryptionServicesArgs(
            blob=storage.EncryptionServiceArgs(enabled=True, key_type="Account"),
            file=storage.EncryptionServiceArgs(enabled=True, key_type="Account"),
        ),
    )


class GeoStorage(DataComponent):
    """A StorageV2 account replicated to the region's pair, recoverable by versioning, soft delete and PITR.

    An account failover leaves it LRS; the SKU is not create-only, so the next ``pulumi up`` converts it back to
    the declared geo-redundant SKU in place (the runbook says when).
    """

    account: storage.StorageAccount
    blob_service: storage.BlobServiceProperties
    account_id: pulumi.Output[str]
    account_name: pulumi.Output[str]
    primary_blob_endpoint: pulumi.Output[str]

    def __init__(self, name: str, args: GeoStorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        rules.refuse("GeoStorage", name, _refusal(args))
        super().__init__("azure-dr:storage:GeoStorage", name, None, opts)
        i = c = args
        identity = _identity(args.managed_identities)
        account = storage.StorageAccount(
            f"{name}-account",
            account_name=args.account_name,
            resource_group_name=i.resource_group_name,
            location=i.location,
            kind="StorageV2",
            sku=storage.SkuArgs(name=c.sku),
            access_tier=storage.AccessTier.HOT,
            minimum_tls_version="TLS1_2",
            enable_https_traffic_only=True,
            allow_blob_public_access=False,
            allow_shared_key_access=False,
            default_to_o_auth_authentication=True,
            allow_cross_tenant_replication=False,
            public_network_access="Disabled",
            network_rule_set=storage.NetworkRuleSetArgs(
                default_action=storage.DefaultAction.DENY, bypass="AzureServices"
            ),
            identity=identity,
            encryption=_encryption(args.customer_managed_key),
            tags=data_tags(i.tags, "storage-geo-failover"),
            # After a customer-managed account failover Azure reports the secondary as the location (Learn, "Azure
            # storage account failover"); location is create-only (forceNewMap): never a replacement.
            opts=stateful(self, ignore_changes=["location"], removal_policy=args.removal_policy),
        )
        blob_service = storage.BlobServiceProperties(
            f"{name}-blob",
            account_name=account.name,
            resource_group_name=i.resource_group_name,
            blob_services_name="default",
            is_versioning_enabled=True,
            delete_retention_policy=storage.DeleteRetentionPolicyArgs(
                enabled=True, days=c.blob_soft_delete_days, allow_permanent_delete=False
            ),
            container_delete_retention_policy=storage.DeleteRetentionPolicyArgs(
                enabled=True, days=c.container_soft_delete_days
            ),
            restore_policy=storage.RestorePolicyPropertiesArgs(enabled=True, days=c.point_in_time_restore_days),
            change_feed=storage.ChangeFeedArgs(enabled=True, retention_in_days=c.change_feed_retention_days),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.apply_interfaces(name, account, args, private_link_group="blob", diagnostics_target=blob_service)
        self.account, self.blob_service = account, blob_service
        self.account_id = account.id
        self.account_name = fixed_output(account, args.account_name)
        # The account's standard blob endpoint (Learn, "Storage account overview", Standard endpoints; the account
        # sets no dnsEndpointType), in the public cloud the region facts describe.
        self.primary_blob_endpoint = fixed_output(account, f"https://{args.account_name}.blob.core.windows.net/")
        self.register_outputs(
            {
                "account_id": self.account_id,
                "account_name": self.account_name,
                "primary_blob_endpoint": self.primary_blob_endpoint,
                **self.interface_outputs(),
            }
        )
