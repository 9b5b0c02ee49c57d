"""The regional foundation every other component stands on: resource group, Log Analytics, identity."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, managedidentity, operationalinsights, resources

from . import rules
from .interfaces import LockArgs, RemovalPolicy, fixed_output, removal_refusal, resource_lock, stateful


@dataclass(frozen=True, kw_only=True)
class RegionalFoundationArgs:
    """What every service of a region stands on: its resource group, Log Analytics workspace and identity."""

    resource_group_name: str
    workspace_name: str
    identity_name: str
    location: str
    log_retention_days: int = 90
    """30-730; default: 90 (the workspace is where the DR evidence, every data service's logs, lives)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    lock: LockArgs | None = field(default_factory=LockArgs)
    """The workspace's lock. Default: ``CanNotDelete``."""
    removal_policy: RemovalPolicy = "retain"
    """``retain`` (default): protected and kept in Azure when the stack lets go of it; ``destroy``: neither, for a
    throw-away stack."""

    def __post_init__(self) -> None:
        rules.refuse("RegionalFoundationArgs", None, rules.known_region(self.location))
        rules.refuse("RegionalFoundationArgs", None, removal_refusal(self.removal_policy))


class RegionalFoundation(pulumi.ComponentResource):
    """One region's resource group, its Log Analytics workspace and the identity its services run as."""

    resource_group: resources.ResourceGroup
    workspace: operationalinsights.Workspace
    workspace_lock: authorization.ManagementLockByScope | None
    identity: managedidentity.UserAssignedIdentity
    resource_group_name: pulumi.Output[str]
    workspace_id: pulumi.Output[str]
    identity_id: pulumi.Output[str]
    identity_client_id: pulumi.Output[str]
    identity_principal_id: pulumi.Output[str]

    def __init__(self, name: str, args: RegionalFoundationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:foundation:RegionalFoundation", name, None, opts)
        tags = dict(args.tags)
        group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=tags,
            opts=stateful(self, removal_policy=args.removal_policy),
        )
        workspace = operationalinsights.Workspace(
            f"{name}-log",
            workspace_name=args.workspace_name,
            resource_group_name=group.name,
            location=args.location,
            sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
            retention_in_days=args.log_retention_days,
            features=operationalinsights.WorkspaceFeaturesArgs(
                disable_local_auth=True, enable_log_access_using_only_resource_permissions=True
            ),
            public_network_access_for_ingestion="Disabled",  # diagnostic settings use the Azure backbone
            public_network_access_for_query="Enabled",
            tags=tags,
            opts=stateful(self, removal_policy=args.removal_policy),
        )
        # The DR evidence: logs of every data service.
        self.workspace_lock = resource_lock(self, f"{name}-log", workspace, args.lock)
        identity = managedidentity.UserAssignedIdentity(
            f"{name}-id",
            resource_name_=args.identity_name,
            resource_group_name=group.name,
            location=args.location,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.resource_group, self.workspace, self.identity = group, workspace, identity
        self.resource_group_name = fixed_output(group, args.resource_group_name)
        self.workspace_id = workspace.id
        self.identity_id = identity.id
        self.identity_client_id = identity.client_id
        self.identity_principal_id = identity.principal_id
        self.register_outputs(
            {
                "resource_group_name": self.resource_group_name,
                "workspace_id": self.workspace_id,
                "identity_id": self.identity_id,
                "identity_client_id": self.identity_client_id,
                "identity_principal_id": self.identity_principal_id,
            }
        )
