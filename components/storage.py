"""Geo-redundant storage: RA-GZRS by default, with every blob recovery feature on and shared keys off."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import storage

from components.config import Storage as StorageConfig
from components.interfaces import DataInterfaces, data_tags, protect_data, stateful


@dataclass(frozen=True)
class GeoStorageArgs:
    account_name: str
    config: StorageConfig
    interfaces: DataInterfaces


class GeoStorage(pulumi.ComponentResource):
    """A StorageV2 account replicated to the region's pair, recoverable by versioning, soft delete and PITR.

    An account failover leaves it LRS; the SKU is not create-only, so the next ``pulumi up`` converts it back to
    the declared geo-redundant SKU in place (the runbook says when).
    """

    account_id: pulumi.Output[str]
    account_name: pulumi.Output[str]
    primary_blob_endpoint: pulumi.Output[str]

    def __init__(self, name: str, args: GeoStorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:storage:GeoStorage", name, None, opts)
        i, c = args.interfaces, args.config
        identity = (
            storage.IdentityArgs(type="UserAssigned", user_assigned_identities=[i.identity_id])
            if i.identity_id is not None
            else None
        )
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
            tags=data_tags(i, "storage-geo-failover"),
            # After a customer-managed account failover Azure reports the secondary as the location (Learn, "Azure
            # storage account failover"); location is create-only (forceNewMap): never a replacement.
            opts=stateful(self, ignore_changes=["location"]),
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
        protect_data(
            self,
            name,
            account,
            i,
            diagnostics_target=blob_service,
            private_endpoint=c.private_endpoint,
            private_link_group="blob",
        )
        self.account_id = account.id
        self.account_name = account.name
        self.primary_blob_endpoint = account.primary_endpoints.blob
        self.register_outputs({"account_id": self.account_id, "primary_blob_endpoint": self.primary_blob_endpoint})
