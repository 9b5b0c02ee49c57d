"""Azure Container Registry Premium: the registry lives with the global owner; every other region replicates it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import containerregistry as acr

from . import rules
from .facts.regions import has_zones
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


def _zone_redundancy(region: str) -> acr.ZoneRedundancy:
    return acr.ZoneRedundancy.ENABLED if has_zones(region) else acr.ZoneRedundancy.DISABLED


@dataclass(frozen=True, kw_only=True)
class ContainerRegistryArgs(DataInterfaceArgs):
    """A Premium registry: zone redundant where the region has zones, no admin user, no anonymous pull, private."""

    registry_name: str
    retention_days: int = 30
    """Untagged manifests are deleted after this many days; 0 turns the retention policy off."""
    soft_delete_days: int | None = None
    """Keep deleted artifacts this many days. Default: off (Azure refuses it with geo-replication or retention)."""
    geo_replicated: bool = False
    """Other regions replicate this registry (``RegistryReplica``, maybe from another program); only checked
    against ``soft_delete_days``."""
    public_network_access: bool = False
    """Default: private only (private endpoints); ``True`` also allows export of images."""
    managed_identities: ManagedIdentitiesArgs | None = None
    """The identities the resource runs as (system-assigned and/or user-assigned). Default: none."""
    customer_managed_key: CustomerManagedKeyArgs | None = None
    """Registry encryption with your key; only when the registry is created (Learn, "Encrypt registry using a
    customer-managed key"). ACR reads the key with the identity's *client id*: give
    ``customer_managed_key_client_id``. Default: Microsoft-managed keys."""
    customer_managed_key_client_id: pulumi.Input[str] | None = None


def _refusal(args: ContainerRegistryArgs) -> rules.Refusal | None:
    found = rules.registry_soft_delete(
        soft_delete_days=args.soft_delete_days, retention_days=args.retention_days, geo_replicated=args.geo_replicated
    )
    if found is None and args.customer_managed_key is not None:
        if (missing := key_identity_refusal(args.customer_managed_key, args.managed_identities)) is not None:
            return missing
        if args.customer_managed_key_client_id is None:
            return rules.Refusal("customer_managed_key_client_id", None, "the client id of that identity")
    return found


def _identity(mi: ManagedIdentitiesArgs | None) -> acr.IdentityPropertiesArgs | None:
    if mi is None or not mi.any:
        return None
    return acr.IdentityPropertiesArgs(
        type=acr.ResourceIdentityType(mi.type_name("SystemAssigned, UserAssigned")),
        user_assigned_identities=pulumi.Output.all(*mi.user_assigned_resource_ids).apply(
            lambda ids: {rid: acr.UserIdentityPropertiesArgs() for rid in ids}
        )
        if mi.user_assigned_resource_ids
        else None,
    )


def _encryption(args: ContainerRegistryArgs) -> acr.EncryptionPropertyArgs | None:
    cmk = args.customer_managed_key
    if cmk is None:
        return None
    return acr.EncryptionPropertyArgs(
        status=acr.EncryptionStatus.ENABLED,
        key_vault_properties=acr.KeyVaultPropertiesArgs(
            key_identifier=cmk.key_uri, identity=args.customer_managed_key_client_id
        ),
    )


class ContainerRegistry(DataComponent):
    """The registry: zone redundant, no admin user, no anonymous pull, untagged manifests expire."""

    registry: acr.Registry
    registry_id: pulumi.Output[str]
    registry_name: pulumi.Output[str]
    login_server: pulumi.Output[str]

    def __init__(self, name: str, args: ContainerRegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        rules.refuse("ContainerRegistry", name, _refusal(args))
        super().__init__("azure-dr:registry:ContainerRegistry", name, None, opts)
        c = i = args
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
            identity=_identity(args.managed_identities),
            encryption=_encryption(args),
            tags=data_tags(i.tags, "acr-geo-replication"),
            opts=stateful(self, removal_policy=args.removal_policy),
        )
        self.apply_interfaces(name, registry, args, private_link_group="registry")
        self.registry = registry
        self.registry_id = registry.id
        self.registry_name = fixed_output(registry, args.registry_name)
        self.login_server = registry.login_server
        self.register_outputs(
            {
                "registry_id": self.registry_id,
                "registry_name": self.registry_name,
                "login_server": self.login_server,
                **self.interface_outputs(),
            }
        )


@dataclass(frozen=True, kw_only=True)
class RegistryReplicaArgs:
    """A replication of an existing Premium registry into ``location`` (zone redundant where it has zones)."""

    registry_name: pulumi.Input[str]
    registry_resource_group_name: pulumi.Input[str]
    location: str
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rules.refuse("RegistryReplicaArgs", None, rules.known_region(self.location))


class RegistryReplica(pulumi.ComponentResource):
    """This region's replication of the owner's registry: owned here, so this region can act on it alone."""

    replication: acr.Replication
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
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.replication = replication
        self.replication_id = replication.id
        self.register_outputs({"replication_id": self.replication_id})
