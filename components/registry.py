"""Azure Container Registry Premium: the registry lives with the global owner; every other region replicates it."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import containerregistry as acr

from components.config import Registry as RegistryConfig
from components.interfaces import DataInterfaces, data_tags, protect_data, stateful
from components.regions import has_zones


def _zone_redundancy(region: str) -> acr.ZoneRedundancy:
    return acr.ZoneRedundancy.ENABLED if has_zones(region) else acr.ZoneRedundancy.DISABLED


@dataclass(frozen=True)
class ContainerRegistryArgs:
    registry_name: str
    config: RegistryConfig
    interfaces: DataInterfaces


class ContainerRegistry(pulumi.ComponentResource):
    """The registry: zone redundant, no admin user, no anonymous pull, untagged manifests expire."""

    registry_id: pulumi.Output[str]
    registry_name: pulumi.Output[str]
    login_server: pulumi.Output[str]

    def __init__(self, name: str, args: ContainerRegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:registry:ContainerRegistry", name, None, opts)
        c, i = args.config, args.interfaces
        public = c.public_network_access
        registry = acr.Registry(
            f"{name}-registry",
            registry_name=args.registry_name,
            resource_group_name=i.resource_group_name,
            location=i.location,
            sku=acr.SkuArgs(name=acr.SkuName.PREMIUM),
            zone_redundancy=_zone_redundancy(i.location),
            admin_user_enabled=False,
            anonymous_pull_enabled=False,
            data_endpoint_enabled=True,
            public_network_access=acr.PublicNetworkAccess.ENABLED if public else acr.PublicNetworkAccess.DISABLED,
            network_rule_set=acr.NetworkRuleSetArgs(
                default_action=acr.DefaultAction.ALLOW if public else acr.DefaultAction.DENY
            ),
            network_rule_bypass_options=acr.NetworkRuleBypassOptions.AZURE_SERVICES,
            policies=acr.PoliciesArgs(
                retention_policy=acr.RetentionPolicyArgs(
                    days=c.retention_days,
                    status=acr.PolicyStatus.ENABLED if c.retention_days > 0 else acr.PolicyStatus.DISABLED,
                ),
                soft_delete_policy=acr.SoftDeletePolicyArgs(
                    retention_days=c.soft_delete_days or 7,
                    status=acr.PolicyStatus.ENABLED if c.soft_delete_days else acr.PolicyStatus.DISABLED,
                ),
                # Export needs public access; keep images inside the registry unless the registry is public.
                export_policy=acr.ExportPolicyArgs(
                    status=acr.ExportPolicyStatus.ENABLED if public else acr.ExportPolicyStatus.DISABLED
                ),
            ),
            tags=data_tags(i, "acr-geo-replication"),
            opts=stateful(self),
        )
        protect_data(self, name, registry, i, private_endpoint=c.private_endpoint, private_link_group="registry")
        self.registry_id = registry.id
        self.registry_name = registry.name
        self.login_server = registry.login_server
        self.register_outputs({"registry_id": self.registry_id, "login_server": self.login_server})


@dataclass(frozen=True)
class RegistryReplicaArgs:
    registry_name: pulumi.Input[str]
    registry_resource_group_name: pulumi.Input[str]
    location: str
    tags: dict[str, str]


class RegistryReplica(pulumi.ComponentResource):
    """This region's replication of the owner's registry: owned here, so this region can act on it alone."""

    replication_id: pulumi.Output[str]

    def __init__(self, name: str, args: RegistryReplicaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:registry:RegistryReplica", name, None, opts)
        replication = acr.Replication(
            f"{name}-replication",
            replication_name=args.location,
            registry_name=args.registry_name,
            resource_group_name=args.registry_resource_group_name,
            location=args.location,
            region_endpoint_enabled=True,
            zone_redundancy=_zone_redundancy(args.location),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.replication_id = replication.id
        self.register_outputs({"replication_id": self.replication_id})
