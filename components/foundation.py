"""The regional foundation every other component stands on: resource group, Log Analytics, identity."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import managedidentity, operationalinsights, resources

from components.config import Monitoring
from components.interfaces import delete_lock, stateful
from components.naming import Names


@dataclass(frozen=True)
class FoundationArgs:
    names: Names
    location: str
    monitoring: Monitoring
    tags: Mapping[str, str]
    lock: bool = True


class RegionalFoundation(pulumi.ComponentResource):
    """One region's resource group, its Log Analytics workspace and the identity its services run as."""

    resource_group_name: pulumi.Output[str]
    workspace_id: pulumi.Output[str]
    identity_id: pulumi.Output[str]
    identity_principal_id: pulumi.Output[str]

    def __init__(self, name: str, args: FoundationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:foundation:RegionalFoundation", name, None, opts)
        tags = dict(args.tags)
        group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=args.names.resource_group,
            location=args.location,
            tags=tags,
            opts=stateful(self),
        )
        workspace = operationalinsights.Workspace(
            f"{name}-log",
            workspace_name=args.names.log_analytics,
            resource_group_name=group.name,
            location=args.location,
            sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
            retention_in_days=args.monitoring.log_retention_days,
            features=operationalinsights.WorkspaceFeaturesArgs(
                disable_local_auth=True, enable_log_access_using_only_resource_permissions=True
            ),
            public_network_access_for_ingestion="Disabled",  # diagnostic settings use the Azure backbone
            public_network_access_for_query="Enabled",
            tags=tags,
            opts=stateful(self),
        )
        if args.lock:
            delete_lock(self, f"{name}-log", workspace)  # the DR evidence: logs of every data service
        identity = managedidentity.UserAssignedIdentity(
            f"{name}-id",
            resource_name_=args.names.identity,
            resource_group_name=group.name,
            location=args.location,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.resource_group_name = group.name
        self.workspace_id = workspace.id
        self.identity_id = identity.id
        self.identity_principal_id = identity.principal_id
        self.register_outputs(
            {
                "resource_group_name": self.resource_group_name,
                "workspace_id": self.workspace_id,
                "identity_id": self.identity_id,
            }
        )
