"""Azure Cache for Redis Premium per region, protected by passive geo-replication or by RDB persistence.

Azure refuses persistence on either cache of a geo-replicated pair, so config picks one mechanism per cache.
The standby stack owns the geo-replication link; promotion removes the link, which makes the standby cache
writable (Azure has no "promote" property for Redis).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
from pulumi_azure_native import authorization, redis

from . import rules
from .facts.regions import has_zones
from .interfaces import DataComponent, DataInterfaceArgs, ManagedIdentitiesArgs, data_tags, fixed_output, stateful
from .roles import STORAGE_BLOB_DATA_CONTRIBUTOR, subscription_role_id


@dataclass(frozen=True, kw_only=True)
class RedisPersistenceArgs:
    """RDB snapshots to a storage account, written with a managed identity (no storage key in the cache)."""

    storage_account_id: pulumi.Input[str]
    blob_endpoint: pulumi.Input[str]
    subscription_id: pulumi.Input[str]
    writer_principal_id: pulumi.Input[str]
    """The principal of the cache's user-assigned identity: granted Storage Blob Data Contributor on the account."""
    frequency_minutes: Literal[15, 30, 60, 360, 720, 1440] = 60
    max_snapshots: int = 1


@dataclass(frozen=True, kw_only=True)
class RedisCacheArgs(DataInterfaceArgs):
    """An Azure Cache for Redis Premium: TLS 1.2 only, Entra auth (no access keys), private, zone redundant where
    possible, protected by exactly one DR mechanism: geo-replication or RDB persistence.

    Azure offers customer-managed keys for Redis Enterprise only, so that interface is absent.
    """

    cache_name: str
    capacity: int = 1
    """P1-P5."""
    geo_replicated: bool = True
    """This cache is one side of a passive geo-replication link (``RedisGeoLink``). Default: ``True``."""
    persistence: RedisPersistenceArgs | None = None
    """RDB persistence instead of geo-replication (set ``geo_replicated=False``). Default: none."""
    managed_identities: ManagedIdentitiesArgs | None = None
    """The identities the resource runs as (system-assigned and/or user-assigned). Default: none."""


def _refusal(args: RedisCacheArgs) -> rules.Refusal | None:
    found = rules.redis_persistence(geo_replicated=args.geo_replicated, persistence=args.persistence is not None)
    if found is None and not args.geo_replicated and args.persistence is None:
        return rules.Refusal("persistence", None, "RDB persistence settings, or geo_replicated=True")
    return found


def _identity(mi: ManagedIdentitiesArgs | None) -> redis.ManagedServiceIdentityArgs | None:
    if mi is None or not mi.any:
        return None
    return redis.ManagedServiceIdentityArgs(
        type=redis.ManagedServiceIdentityType(mi.type_name("SystemAssigned, UserAssigned")),
        user_assigned_identities=list(mi.user_assigned_resource_ids) or None,
    )


class RedisCache(DataComponent):
    """The region's cache: TLS 1.2 only, no non-TLS port, no access keys, private, zone redundant where possible."""

    cache: redis.Redis
    persistence_writer: authorization.RoleAssignment | None
    cache_id: pulumi.Output[str]
    cache_name: pulumi.Output[str]
    host_name: pulumi.Output[str]

    def __init__(self, name: str, args: RedisCacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        rules.refuse("RedisCache", name, _refusal(args))
        super().__init__("azure-dr:redis:RedisCache", name, None, opts)
        c = i = args
        p = args.persistence
        zoned = has_zones(i.location)
        identity = _identity(args.managed_identities)
        role = None
        if p is not None:
            role = authorization.RoleAssignment(
                f"{name}-rdb-writer",
                scope=p.storage_account_id,
                principal_id=p.writer_principal_id,
                principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                role_definition_id=subscription_role_id(p.subscription_id, STORAGE_BLOB_DATA_CONTRIBUTOR),
                opts=pulumi.ResourceOptions(parent=self),
            )
        cache = redis.Redis(
            f"{name}-cache",
            name=args.cache_name,
            resource_group_name=i.resource_group_name,
            location=i.location,
            sku=redis.SkuArgs(name=redis.SkuName.PREMIUM, family=redis.SkuFamily.P, capacity=c.capacity),
            minimum_tls_version=redis.TlsVersion.TLS_VERSION_1_2,
            enable_non_ssl_port=False,
            disable_access_key_authentication=True,
            public_network_access=redis.PublicNetworkAccess.DISABLED,
            zonal_allocation_policy=redis.ZonalAllocationPolicy.AUTOMATIC
            if zoned
            else redis.ZonalAllocationPolicy.NO_ZONES,
            replicas_per_primary=1,  # geo-replication allows one replica per primary per shard
            identity=identity,
            redis_configuration=redis.RedisCommonPropertiesRedisConfigurationArgs(
                aad_enabled="true",
                rdb_backup_enabled="true" if p is not None else "false",
                rdb_backup_frequency=str(p.frequency_minutes) if p is not None else None,
                rdb_backup_max_snapshot_count=str(p.max_snapshots) if p is not None else None,
                # Managed-identity auth: the connection string names the endpoint only and carries no key.
                rdb_storage_connection_string=pulumi.Output.concat("BlobEndpoint=", p.blob_endpoint, ";")
                if p is not None
                else None,
                storage_subscription_id=p.subscription_id if p is not None else None,
                preferred_data_persistence_auth_method="ManagedIdentity" if p is not None else None,
            ),
            tags=data_tags(i.tags, "redis-persistence" if p is not None else "redis-geo-replication"),
            opts=stateful(self, removal_policy=args.removal_policy).merge(
                pulumi.ResourceOptions(depends_on=[role] if role is not None else [])
            ),
        )
        self.apply_interfaces(name, cache, args, private_link_group="redisCache")
        self.cache, self.persistence_writer = cache, role
        self.cache_id = cache.id
        self.cache_name = fixed_output(cache, args.cache_name)
        # Learn, "Azure Cache for Redis" (connect: <name>.redis.cache.windows.net), in the public cloud.
        self.host_name = fixed_output(cache, f"{args.cache_name}.redis.cache.windows.net")
        self.register_outputs(
            {
                "cache_id": self.cache_id,
                "cache_name": self.cache_name,
                "host_name": self.host_name,
                **self.interface_outputs(),
            }
        )


@dataclass(frozen=True, kw_only=True)
class RedisGeoLinkArgs:
    """Passive geo-replication from a primary cache to a secondary one (both Premium, same size, no persistence).

    The link is declared on the primary cache; removing it (promotion) makes the secondary writable.
    """

    primary_cache_name: pulumi.Input[str]
    primary_resource_group_name: pulumi.Input[str]
    secondary_cache_id: pulumi.Input[str]
    secondary_cache_name: pulumi.Input[str]
    secondary_location: str


class RedisGeoLink(pulumi.ComponentResource):
    """Passive geo-replication from the peer's (primary) cache to this stack's cache, declared by the standby."""

    link: redis.LinkedServer
    geo_replicated_host_name: pulumi.Output[str]

    def __init__(self, name: str, args: RedisGeoLinkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:redis:RedisGeoLink", name, None, opts)
        link = redis.LinkedServer(
            f"{name}-link",
            name=args.primary_cache_name,
            resource_group_name=args.primary_resource_group_name,
            linked_server_name=args.secondary_cache_name,
            linked_redis_cache_id=args.secondary_cache_id,
            linked_redis_cache_location=args.secondary_location,
            server_role=redis.ReplicationRole.SECONDARY,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.link = link
        self.geo_replicated_host_name = link.geo_replicated_primary_host_name
        self.register_outputs({"geo_replicated_host_name": self.geo_replicated_host_name})
