"""One stack's region: the foundation and every service, wired to the peer stack's contract.

Ownership (DESIGN §2): the stack owns what lives in its region, including its share of every global object
(its Front Door origin, its registry replication, its Redis cache and, when standby, the geo-replication
link). The global-owner stack also owns the shared objects: routing profile, Cosmos account, registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
from pulumi_azure_native import authorization

from components.config import StackConfig
from components.contract import GLOBAL_KEYS, PeerContract
from components.cosmos import CosmosAccount, CosmosAccountArgs, CosmosContainerArgs, CosmosDatabaseArgs
from components.foundation import RegionalFoundation, RegionalFoundationArgs
from components.interfaces import (
    DiagnosticSettingsArgs,
    LockArgs,
    ManagedIdentitiesArgs,
    private_endpoint_args,
)
from components.keyvault import KeyVault, KeyVaultArgs
from components.naming import Names
from components.postgres import EntraAdministratorArgs, PostgresServer, PostgresServerArgs
from components.redis import RedisCache, RedisCacheArgs, RedisGeoLink, RedisGeoLinkArgs, RedisPersistenceArgs
from components.registry import ContainerRegistry, ContainerRegistryArgs, RegistryReplica, RegistryReplicaArgs
from components.routing import (
    FrontDoorGlobal,
    FrontDoorGlobalArgs,
    FrontDoorOrigin,
    FrontDoorRoute,
    FrontDoorRouteArgs,
    RegionalOriginArgs,
    TrafficManagerEndpoint,
    TrafficManagerEndpointArgs,
    TrafficManagerGlobal,
    TrafficManagerGlobalArgs,
)
from components.storage import GeoStorage, GeoStorageArgs


class _DataCommon(TypedDict):
    """The interface arguments every data component of the region gets from the stack config."""

    resource_group_name: pulumi.Input[str]
    location: str
    tags: Mapping[str, str]
    lock: LockArgs | None
    diagnostic_settings: DiagnosticSettingsArgs | None


@dataclass(frozen=True)
class DrRegionArgs:
    config: StackConfig
    peer: PeerContract | None = None


class DrRegion(pulumi.ComponentResource):
    """Everything one stack owns; ``contract`` holds the outputs the peer stack reads."""

    contract: dict[str, pulumi.Input[Any]]

    def __init__(self, name: str, args: DrRegionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:region:DrRegion", name, None, opts)
        cfg, peer = args.config, args.peer
        self._cfg, self._peer, self._name = cfg, peer, name
        self.names = Names(cfg.workload, cfg.environment, cfg.region)
        self.tags = {"workload": cfg.workload, "environment": cfg.environment, "dr-role": cfg.role, **cfg.tags}
        self._child = pulumi.ResourceOptions(parent=self)
        client = authorization.get_client_config_output()
        tenant_id = client.tenant_id

        foundation = RegionalFoundation(
            f"{name}-foundation",
            RegionalFoundationArgs(
                resource_group_name=self.names.resource_group,
                workspace_name=self.names.log_analytics,
                identity_name=self.names.identity,
                location=cfg.region,
                log_retention_days=cfg.monitoring.log_retention_days,
                tags=self.tags,
                lock=LockArgs() if cfg.locks else None,
            ),
            opts=self._child,
        )
        self.resource_group_name = foundation.resource_group_name
        # Config → the interface arguments every data component shares (AVM set; see components.interfaces).
        self._common = _DataCommon(
            resource_group_name=foundation.resource_group_name,
            location=cfg.region,
            tags=self.tags,
            lock=LockArgs() if cfg.locks else None,
            diagnostic_settings=DiagnosticSettingsArgs(workspace_resource_id=foundation.workspace_id)
            if cfg.monitoring.diagnostics
            else None,
        )
        identity = ManagedIdentitiesArgs(user_assigned_resource_ids=[foundation.identity_id])
        vault = KeyVault(
            f"{name}-kv",
            KeyVaultArgs(
                vault_name=self.names.key_vault,
                tenant_id=tenant_id,
                sku=cfg.keyvault.sku,
                soft_delete_retention_days=cfg.keyvault.soft_delete_retention_days,
                private_endpoints=private_endpoint_args(cfg.keyvault.private_endpoint),
                **self._common,
            ),
            opts=self._child,
        )
        generation, pg = cfg.postgres.generation, cfg.postgres
        postgres = PostgresServer(
            # A new generation is a new resource beside the stale one, never a replacement of it.
            f"{name}-psql" if generation == 1 else f"{name}-psql-g{generation}",
            PostgresServerArgs(
                server_name=self.names.postgres(cfg.postgres.generation),
                tenant_id=tenant_id,
                entra_administrator=EntraAdministratorArgs(
                    object_id=pg.entra_admin.object_id,
                    principal_name=pg.entra_admin.principal_name,
                    principal_type=pg.entra_admin.principal_type,
                ),
                replica_of=self._peer_value("postgres_server_id") if pg.create_as == "replica" else None,
                version=pg.version,
                sku_name=pg.sku_name,
                sku_tier=pg.sku_tier,
                storage_size_gb=pg.storage_size_gb,
                backup_retention_days=cfg.postgres_retention_days,
                geo_redundant_backup=cfg.postgres_geo_backup,
                high_availability=cfg.postgres_ha_mode,
                cross_region_replica=cfg.peer_region is not None,
                managed_identities=identity,
                private_endpoints=private_endpoint_args(pg.private_endpoint),
                **self._common,
            ),
            opts=self._child,
        )
        storage = GeoStorage(
            f"{name}-st",
            GeoStorageArgs(
                account_name=self.names.storage_account,
                sku=cfg.storage.sku,
                blob_soft_delete_days=cfg.storage.blob_soft_delete_days,
                container_soft_delete_days=cfg.storage.container_soft_delete_days,
                point_in_time_restore_days=cfg.storage.point_in_time_restore_days,
                change_feed_retention_days=cfg.storage.change_feed_retention_days,
                managed_identities=identity,
                private_endpoints=private_endpoint_args(cfg.storage.private_endpoint),
                **self._common,
            ),
            opts=self._child,
        )
        self.contract: dict[str, pulumi.Input[Any]] = {
            "role": cfg.role,
            "region": cfg.region,
            "resource_group_name": foundation.resource_group_name,
            "owns_global": cfg.owns_global,
            "postgres_server_id": postgres.server_id,
            "postgres_server_name": postgres.server_name,
            "postgres_fqdn": postgres.fqdn,
            "postgres_sku_name": cfg.postgres.sku_name,
            "postgres_sku_tier": cfg.postgres.sku_tier,
            "postgres_storage_gb": cfg.postgres.storage_size_gb,
            "key_vault_uri": vault.vault_uri,
            "storage_account_id": storage.account_id,
            "log_analytics_workspace_id": foundation.workspace_id,
            "redis_cache_id": None,
            "redis_cache_name": None,
            "redis_hostname": None,
            "redis_capacity": None,
            **dict.fromkeys(GLOBAL_KEYS),
        }
        self._routing()
        if cfg.cosmos.enabled and cfg.owns_global:
            self._cosmos()
        if cfg.registry.enabled:
            self._registry()
        if cfg.redis.enabled:
            persistence = cfg.redis_persistence
            target = (
                RedisPersistenceArgs(
                    storage_account_id=storage.account_id,
                    blob_endpoint=storage.primary_blob_endpoint,
                    subscription_id=client.subscription_id,
                    writer_principal_id=foundation.identity_principal_id,
                    frequency_minutes=persistence.frequency_minutes,
                    max_snapshots=persistence.max_snapshots,
                )
                if persistence is not None
                else None
            )
            self._redis(identity, target)
        self.register_outputs(self.contract)

    def _peer_value(self, key: str) -> pulumi.Output[Any]:
        if self._peer is None:
            raise ValueError(f"{key} comes from the peer stack, but this stack has no peer_stack")
        return self._peer.get(key)

    def _owner_value(self, key: str, own: pulumi.Input[Any]) -> pulumi.Input[Any]:
        """A global object's output: our own when we own the global layer, else the owner's export."""
        return own if self._cfg.owns_global else self._peer_value(key)

    def _routing(self) -> None:
        cfg, names, name = self._cfg, self.names, self._name
        routing = cfg.routing
        if routing.kind == "frontdoor":
            own: dict[str, pulumi.Input[Any]] = {}
            if cfg.owns_global:
                fd = FrontDoorGlobal(
                    f"{name}-afd",
                    FrontDoorGlobalArgs(
                        profile_name=names.frontdoor_profile,
                        endpoint_name=names.frontdoor_endpoint,
                        resource_group_name=self.resource_group_name,
                        sku=routing.frontdoor_sku,
                        probe_path=routing.probe.path,
                        probe_protocol=routing.probe.protocol,
                        probe_interval_seconds=routing.probe.interval_seconds,
                        tags=self.tags,
                    ),
                    opts=self._child,
                )
                own = {
                    "frontdoor_profile_name": fd.profile_name,
                    "origin_group_name": fd.origin_group_name,
                    "origin_group_id": fd.origin_group_id,
                    "frontdoor_endpoint_host": fd.endpoint_host_name,
                    "routing_kind": "frontdoor",
                }
                self.contract.update(own)
            profile = self._owner_value("frontdoor_profile_name", own.get("frontdoor_profile_name"))
            group_rg = self._owner_value("resource_group_name", self.resource_group_name)
            origin = FrontDoorOrigin(
                f"{name}-origin",
                RegionalOriginArgs(
                    origin_name=names.frontdoor_origin,
                    host_name=routing.origin_host,
                    active=cfg.is_active,
                    profile_name=profile,
                    origin_group_name=self._owner_value("origin_group_name", own.get("origin_group_name")),
                    resource_group_name=group_rg,
                ),
                opts=self._child,
            )
            if cfg.owns_global:
                FrontDoorRoute(
                    f"{name}-afd",
                    FrontDoorRouteArgs(
                        profile_name=own["frontdoor_profile_name"],
                        endpoint_name=names.frontdoor_endpoint,
                        origin_group_id=own["origin_group_id"],
                        resource_group_name=self.resource_group_name,
                        origins=[origin],
                    ),
                    opts=self._child,
                )
            return
        tm_profile: pulumi.Input[Any] = None
        if cfg.owns_global:
            tm = TrafficManagerGlobal(
                f"{name}-traf",
                TrafficManagerGlobalArgs(
                    profile_name=names.traffic_manager,
                    resource_group_name=self.resource_group_name,
                    probe_path=routing.probe.path,
                    probe_protocol=routing.probe.protocol,
                    probe_interval_seconds=routing.probe.interval_seconds,
                    tags=self.tags,
                ),
                opts=self._child,
            )
            tm_profile = tm.profile_name
            self.contract.update({"traffic_manager_profile_name": tm_profile, "routing_kind": "trafficmanager"})
        TrafficManagerEndpoint(
            f"{name}-endpoint",
            TrafficManagerEndpointArgs(
                endpoint_name=cfg.region,
                target=routing.origin_host,
                location=cfg.region,
                active=cfg.is_active,
                profile_name=self._owner_value("traffic_manager_profile_name", tm_profile),
                resource_group_name=self._owner_value("resource_group_name", self.resource_group_name),
            ),
            opts=self._child,
        )

    def _cosmos(self) -> None:
        cfg = self._cfg
        assert cfg.peer_region is not None  # config validation requires it for the owner
        active, standby = (cfg.region, cfg.peer_region) if cfg.is_active else (cfg.peer_region, cfg.region)
        cosmos = CosmosAccount(
            f"{self._name}-cosmos",
            CosmosAccountArgs(
                account_name=self.names.cosmos_account,
                write_region=active,
                failover_region=standby if cfg.cosmos.multi_region else None,
                api=cfg.cosmos.api,
                backup_tier=cfg.cosmos.backup_tier,
                consistency=cfg.cosmos.consistency,
                databases=[
                    CosmosDatabaseArgs(
                        name=db.name,
                        containers=[
                            CosmosContainerArgs(name=ct.name, partition_key=ct.partition_key) for ct in db.containers
                        ],
                    )
                    for db in cfg.cosmos.databases
                ],
                private_endpoints=private_endpoint_args(cfg.cosmos.private_endpoint),
                **self._common,
            ),
            opts=self._child,
        )
        self.contract.update({"cosmos_account_name": cosmos.account_name, "cosmos_endpoint": cosmos.endpoint})

    def _registry(self) -> None:
        cfg = self._cfg
        if cfg.owns_global:
            registry = ContainerRegistry(
                f"{self._name}-cr",
                ContainerRegistryArgs(
                    registry_name=self.names.container_registry,
                    retention_days=cfg.registry.retention_days,
                    soft_delete_days=cfg.registry.soft_delete_days,
                    geo_replicated=cfg.peer_region is not None,
                    public_network_access=cfg.registry.public_network_access,
                    private_endpoints=private_endpoint_args(cfg.registry.private_endpoint),
                    **self._common,
                ),
                opts=self._child,
            )
            self.contract.update(
                {
                    "registry_id": registry.registry_id,
                    "registry_name": registry.registry_name,
                    "registry_login_server": registry.login_server,
                }
            )
            return
        RegistryReplica(
            f"{self._name}-cr",
            RegistryReplicaArgs(
                registry_name=self._peer_value("registry_name"),
                registry_resource_group_name=self._peer_value("resource_group_name"),
                location=cfg.region,
                tags=self.tags,
            ),
            opts=self._child,
        )

    def _redis(self, identity: ManagedIdentitiesArgs, persistence: RedisPersistenceArgs | None) -> None:
        cfg = self._cfg
        cache = RedisCache(
            f"{self._name}-redis",
            RedisCacheArgs(
                cache_name=self.names.redis,
                capacity=cfg.redis.capacity,
                geo_replicated=cfg.redis.dr_mechanism == "geo-replication",
                persistence=persistence,
                managed_identities=identity,
                private_endpoints=private_endpoint_args(cfg.redis.private_endpoint),
                **self._common,
            ),
            opts=self._child,
        )
        self.contract.update(
            {
                "redis_cache_id": cache.cache_id,
                "redis_cache_name": cache.cache_name,
                "redis_hostname": cache.host_name,
                "redis_capacity": cfg.redis.capacity,
            }
        )
        if cfg.redis.dr_mechanism == "geo-replication" and not cfg.is_active:
            RedisGeoLink(
                f"{self._name}-redis-geo",
                RedisGeoLinkArgs(
                    primary_cache_name=self._peer_value("redis_cache_name"),
                    primary_resource_group_name=self._peer_value("resource_group_name"),
                    secondary_cache_id=cache.cache_id,
                    secondary_cache_name=cache.cache_name,
                    secondary_location=cfg.region,
                ),
                opts=self._child,
            )
