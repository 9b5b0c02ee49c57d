"""One stack's region: the foundation and every service, wired to the peer stack's contract.

Ownership: the stack owns what lives in its region, including its share of every global object
(its Front Door origin, its registry replication, its Redis cache and, when standby, the geo-replication
link). The global-owner stack also owns the shared objects: routing profile, Cosmos account, registry.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypedDict

import pulumi
from pulumi_azure_native import authorization

from ..aks import AksCluster, AksClusterArgs
from ..cosmos import PRIVATE_LINK_GROUP as COSMOS_GROUP
from ..cosmos import CosmosAccount, CosmosAccountArgs, CosmosContainerArgs, CosmosDatabaseArgs
from ..facts.recovery import GEO_SECONDARY_TAG
from ..facts.regions import has_zones
from ..foundation import RegionalFoundation, RegionalFoundationArgs
from ..global_layer import GlobalLayer, GlobalLayerArgs
from ..ingress import IngressAddress, IngressAddressArgs
from ..interfaces import (
    DataInterfaces,
    DiagnosticSettingsArgs,
    LockArgs,
    ManagedIdentitiesArgs,
    RemovalPolicy,
)
from ..keyvault import KeyVault, KeyVaultArgs
from ..naming import Names
from ..postgres import (
    EntraAdministratorArgs,
    PostgresServer,
    PostgresServerArgs,
    PostgresWriterEndpoint,
    PostgresWriterEndpointArgs,
)
from ..redis import (
    RedisCache,
    RedisCacheArgs,
    RedisGeoLink,
    RedisGeoLinkArgs,
    RedisPersistenceArgs,
)
from ..registry import ContainerRegistry, ContainerRegistryArgs, RegistryReplica, RegistryReplicaArgs
from ..routing import (
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
from ..storage import GeoStorage, GeoStorageArgs
from ..velero import BackupContainer, VeleroArgs, VeleroBackups
from ..workloads import IngressExposure, Workloads, WorkloadsArgs, WorkloadSpec
from .config import (
    PostgresServerSettings,
    StackConfig,
    server_geo_backup,
    server_ha_mode,
    server_retention_days,
)
from .contract import GLOBAL_KEYS, NETWORK_KEYS, PeerContract
from .dr_operations import RegionRefs, add_dr_operations
from .region_network import (
    NetworkTier,
    build_network_tier,
    global_group_region,
    shared_endpoints,
)


class _Client(NamedTuple):
    subscription_id: pulumi.Output[str]
    tenant_id: pulumi.Output[str]


def _client() -> _Client:
    """The deployment's subscription and tenant. A test's plain mocks may answer the client config with nothing:
    empty strings then keep every id built from them a string (Azure always answers)."""
    config = authorization.get_client_config_output()
    return _Client(config.subscription_id.apply(lambda s: s or ""), config.tenant_id.apply(lambda t: t or ""))


class _DataCommon(TypedDict):
    """The interface arguments every data component of the region gets from the stack config."""

    resource_group_name: pulumi.Input[str]
    location: str
    tags: Mapping[str, str]
    lock: LockArgs | None
    diagnostic_settings: Mapping[str, DiagnosticSettingsArgs]
    removal_policy: RemovalPolicy


def _common(interfaces: DataInterfaces) -> _DataCommon:
    """Config → the interface arguments (AVM set; see azure_dr.components.interfaces) the reusable components take."""
    return _DataCommon(
        resource_group_name=interfaces.resource_group_name,
        location=interfaces.location,
        tags=interfaces.tags,
        lock=LockArgs() if interfaces.lock else None,
        diagnostic_settings=interfaces.diagnostic_settings(),
        removal_policy=interfaces.removal_policy,
    )


def _identity(interfaces: DataInterfaces) -> ManagedIdentitiesArgs | None:
    if interfaces.identity_id is None:
        return None
    return ManagedIdentitiesArgs(user_assigned_resource_ids=[interfaces.identity_id])


@dataclass(frozen=True)
class DrRegionArgs:
    config: StackConfig
    peer: PeerContract | None = None
    peer_network: Mapping[str, Any] = field(default_factory=dict)
    """The peer's network exports, read once before registration (``stack.pairnetwork.PEER_NETWORK_KEYS``)."""
    peer_postgres: Mapping[str, Any] = field(default_factory=dict)
    """The peer's server exports, read once before registration (``PEER_POSTGRES_KEYS``): whether the pair's
    writer endpoint is this stack's to declare."""


#: The peer's exports that say which server of the pair is the replica (stack.contract).
PEER_POSTGRES_KEYS = ("postgres_server_name", "postgres_replica_of", "postgres_state")


class DrRegion(pulumi.ComponentResource):
    """Everything one stack owns; ``contract`` holds the outputs the peer stack reads."""

    contract: dict[str, pulumi.Input[Any]]
    cosmos_account_id: pulumi.Output[str] | None = None  # set when this stack owns the Cosmos account

    def __init__(self, name: str, args: DrRegionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:region:DrRegion", name, None, opts)
        cfg, peer = args.config, args.peer
        self._cfg, self._peer, self._name = cfg, peer, name
        self._peer_postgres = args.peer_postgres
        self.names = Names(cfg.workload, cfg.environment, cfg.region)
        # No role in the tags: a promotion must not write to every resource of a region that may be down.
        self.tags = {"workload": cfg.workload, "environment": cfg.environment, **cfg.tags}
        self._child = pulumi.ResourceOptions(parent=self)
        client = self._client = _client()
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
                removal_policy=cfg.removal_policy,
            ),
            opts=self._child,
        )
        self.resource_group_name = foundation.resource_group_name
        self._global = self._global_layer() if cfg.owns_global else None
        self.net: NetworkTier = build_network_tier(
            self,
            name,
            cfg,
            foundation.resource_group_name,
            self._global,
            args.peer_network,
            self.tags,
        )
        interfaces = DataInterfaces(
            resource_group_name=foundation.resource_group_name,
            location=cfg.region,
            tags=self.tags,
            lock=cfg.locks,
            workspace_id=foundation.workspace_id if cfg.monitoring.diagnostics else None,
            identity_id=foundation.identity_id,
            removal_policy=cfg.removal_policy,
        )
        vault = KeyVault(
            kv_name := f"{name}-kv",
            KeyVaultArgs(
                vault_name=self.names.key_vault,
                tenant_id=tenant_id,
                sku=cfg.keyvault.sku,
                soft_delete_retention_days=cfg.keyvault.soft_delete_retention_days,
                private_endpoints=self.net.endpoints("vault", kv_name, cfg.keyvault.private_endpoint),
                **_common(interfaces),
            ),
            opts=self._child,
        )
        self._interfaces, self._tenant_id = interfaces, tenant_id
        self._server_ids: dict[str, pulumi.Output[str]] = {}
        for retired in cfg.postgres.retired:  # earlier generations: declared unchanged until `drctl release`
            self._postgres(retired)
        postgres = self._postgres(cfg.postgres)
        writer_host = self._writer_endpoint(postgres)
        storage = GeoStorage(
            st_name := f"{name}-st",
            GeoStorageArgs(
                account_name=self.names.storage_account,
                sku=cfg.storage.sku,
                blob_soft_delete_days=cfg.storage.blob_soft_delete_days,
                container_soft_delete_days=cfg.storage.container_soft_delete_days,
                point_in_time_restore_days=cfg.storage.point_in_time_restore_days,
                change_feed_retention_days=cfg.storage.change_feed_retention_days,
                managed_identities=_identity(interfaces),
                private_endpoints=self.net.endpoints("blob", st_name, cfg.storage.private_endpoint),
                **_common(interfaces),
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
            "postgres_writer_host": writer_host,
            "postgres_replica_of": cfg.postgres.replica_of,
            "postgres_state": cfg.postgres.state,
            "postgres_sku_name": cfg.postgres.sku_name,
            "postgres_sku_tier": cfg.postgres.sku_tier,
            "postgres_storage_gb": cfg.postgres.storage_size_gb,
            "postgres_version": cfg.postgres.version,
            "key_vault_uri": vault.vault_uri,
            "storage_account_id": storage.account_id,
            "log_analytics_workspace_id": foundation.workspace_id,
            "redis_cache_id": None,
            "redis_cache_name": None,
            "redis_hostname": None,
            "redis_capacity": None,
            "redis_geo_secondary": cfg.redis.enabled and cfg.redis.geo_secondary,
            "storage_account_name": storage.account_name,
            "aks_cluster_name": None,
            "ingress_fqdn": None,
            "velero_container_id": None,
            **dict.fromkeys(NETWORK_KEYS),
            **dict.fromkeys(GLOBAL_KEYS),
        }
        self._origin_host: pulumi.Input[str] | None = cfg.routing.origin_host
        self._shared_targets: dict[str, pulumi.Input[str]] = {}
        if self._global is not None:
            self.contract["global_resource_group_name"] = self._global.resource_group_name
        self.contract.update(self.net.exports)

        if cfg.cosmos.enabled and cfg.owns_global:
            self._cosmos(interfaces)
        if cfg.registry.enabled:
            self._registry(interfaces)
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
            self._redis(interfaces, target)
        if self._global is not None and self.net.network is not None:
            self.contract["shared_private_link_targets"] = self._shared_targets
        elif not cfg.owns_global:  # this region's own endpoints to the owner's Cosmos account and registry
            shared_endpoints(
                self, name, self.net, args.peer_network.get("shared_private_link_targets") or {}, self.tags
            )
        if cfg.aks.enabled:
            self._compute(interfaces, client, storage)
        self._routing()
        # Long-term backup, compliance storage, alerts and drills: components/dr_operations.py.
        refs = RegionRefs(
            self.contract, interfaces, client.subscription_id, self.cosmos_account_id, server_ids=self._server_ids
        )
        add_dr_operations(self, name, cfg, self.names, refs)
        self.register_outputs(self.contract)

    def _postgres(self, pg: PostgresServerSettings) -> PostgresServer:
        """One server generation; a new generation is a new resource beside the stale one, never a replacement."""
        cfg = self._cfg
        server_name = self.names.postgres(pg.generation)
        name = f"{self._name}-psql" if pg.generation == 1 else f"{self._name}-psql-g{pg.generation}"
        admin = cfg.postgres.entra_admin
        vnet = self.net.postgres_vnet()  # VNet integration: the server in the delegated subnet, no endpoint
        server = PostgresServer(
            name,
            PostgresServerArgs(
                server_name=server_name,
                tenant_id=self._tenant_id,
                entra_administrator=EntraAdministratorArgs(
                    object_id=admin.object_id, principal_name=admin.principal_name, principal_type=admin.principal_type
                ),
                replica_of=self._source_server_id(pg.replica_of) if pg.replica_of is not None else None,
                state=pg.state,
                promotion=pg.promotion,
                version=pg.version,
                sku_name=pg.sku_name,
                sku_tier=pg.sku_tier,
                storage_size_gb=pg.storage_size_gb,
                backup_retention_days=server_retention_days(pg, cfg.objectives),
                geo_redundant_backup=server_geo_backup(pg),
                high_availability=server_ha_mode(pg, cfg.region),
                cross_region_replica=cfg.peer_region is not None,
                managed_identities=_identity(self._interfaces),
                private_endpoints={}
                if vnet is not None
                else self.net.endpoints("postgresqlServer", name, pg.private_endpoint),
                delegated_subnet_id=vnet[0] if vnet is not None else None,
                private_dns_zone_id=vnet[1] if vnet is not None else None,
                **_common(self._interfaces),
            ),
            opts=self._child,
        )
        self._server_ids[server_name] = server.server_id
        return server

    def _source_server_id(self, server_name: str) -> pulumi.Output[str]:
        """The source of a replica, pinned by name in config: the peer's later generations never move it.

        The id is built from the peer's regional group and this subscription (both fixed), not from the peer's
        current export, which a rebuild changes (that would replace a live server: facts §1).
        """
        return pulumi.Output.format(
            "/subscriptions/{0}/resourceGroups/{1}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{2}",
            self._client.subscription_id,
            self._peer_value("resource_group_name"),
            server_name,
        )

    def _writer_endpoint(self, postgres: PostgresServer) -> pulumi.Input[Any]:
        """The pair's writer endpoint when this stack's server is the pair's primary and the peer's replica exists:
        Azure manages a virtual endpoint in the primary's context (Learn, "Virtual endpoints for read replicas"),
        so the primary's stack declares it, under its own server. A replica's stack exports the pair's writer host
        as its primary's stack does; a server outside a pair, its own host name.

        The pair's endpoint keeps the name it was created with, from the server that was its source. Right after a
        switchover (``promoting``, planned) Azure has already moved it under this server: this deployment adopts
        it (``adopt_id``) rather than creating a second one."""
        pg, peer = self._cfg.postgres, self._peer_postgres
        own = self.names.postgres(pg.generation)
        peer_server, peer_source = peer.get("postgres_server_name"), peer.get("postgres_replica_of")
        serving = pg.state in ("primary", "promoting")
        replicating = pg.state == "replica" or (pg.state == "new" and pg.replica_of is not None)
        if replicating and pg.writer_endpoint and self._peer is not None:
            # The pair's writer, declared by its primary's stack: its host is the endpoint's name under the writer
            # domain (Learn, "Virtual endpoints for read replicas"), named from the server that was the pair's
            # source (this one's if a switchover demoted it).
            source = pg.replica_of or own
            return f"{self.names.postgres_virtual_endpoint(source)}.writer.postgres.database.azure.com"
        if not (pg.writer_endpoint and serving and peer.get("postgres_state") == "replica" and peer_server):
            return postgres.fqdn
        if peer_source == own:  # the peer was created as this server's replica
            source = own
        elif pg.replica_of is not None and pg.replica_of == peer_server:  # this server was, then switched over
            source = str(peer_server)
        else:
            return postgres.fqdn
        name = self.names.postgres_virtual_endpoint(source)
        adopt = None
        if pg.state == "promoting" and pg.promotion == "planned":
            subscription = authorization.get_client_config().subscription_id
            adopt = (
                f"/subscriptions/{subscription}/resourceGroups/{self.names.resource_group}/providers/"
                f"Microsoft.DBforPostgreSQL/flexibleServers/{own}/virtualendpoints/{name}"
            )
        endpoint = PostgresWriterEndpoint(
            f"{self._name}-psql-vep",
            PostgresWriterEndpointArgs(
                endpoint_name=name,
                primary_server_name=postgres.server_name,
                resource_group_name=self.resource_group_name,
                replica_server_name=str(peer_server),
                adopt_id=adopt,
            ),
            opts=self._child,
        )
        return endpoint.writer_host

    def _global_layer(self) -> GlobalLayer:
        cfg = self._cfg
        location = global_group_region(cfg)
        return GlobalLayer(
            self._global_name,
            GlobalLayerArgs(
                resource_group_name=self.names.global_resource_group,
                location=location,
                tags=self.tags,
                removal_policy=cfg.removal_policy,
            ),
        )

    @property
    def _global_name(self) -> str:
        return f"{self._cfg.workload}-{self._cfg.environment}-global"

    def _moved_global(self, suffix: str) -> pulumi.ResourceOptions:
        """A shared object under the global layer. Until 0c8d4d3 it was this region's child ``<region>-<suffix>``:
        the alias carries its state over, and its children's, which are named after it (the engine's inherited
        child aliases), so an older stack plans no delete and create of them (tests/test_state_aliases.py)."""
        return pulumi.ResourceOptions(
            parent=self._global, aliases=[pulumi.Alias(name=f"{self._name}-{suffix}", parent=self)]
        )

    def _global_interfaces(self, interfaces: DataInterfaces) -> DataInterfaces:
        """The shared objects' interfaces: the global group and the global home region."""
        assert self._global is not None
        cfg = self._cfg
        return DataInterfaces(
            resource_group_name=self._global.resource_group_name,
            location=cfg.global_layer.home_region or cfg.region,
            tags=interfaces.tags,
            lock=interfaces.lock,
            workspace_id=interfaces.workspace_id,
            identity_id=interfaces.identity_id,
            removal_policy=interfaces.removal_policy,
        )

    def _peer_value(self, key: str) -> pulumi.Output[Any]:
        if self._peer is None:
            raise ValueError(f"{key} comes from the peer stack, but this stack has no peer_stack")
        return self._peer.get(key)

    def _owner_value(self, key: str, own: pulumi.Input[Any]) -> pulumi.Input[Any]:
        """A global object's output: our own when we own the global layer, else the owner's export."""
        return own if self._cfg.owns_global else self._peer_value(key)

    @property
    def _origin(self) -> pulumi.Input[str]:
        """The region's application endpoint: the configured host, or the cluster ingress FQDN."""
        if self._origin_host is None:
            raise ValueError("routing.origin=cluster needs the cluster's ingress (config validation ensures it)")
        return self._origin_host

    def _compute(
        self,
        interfaces: DataInterfaces,
        client: _Client,
        storage: GeoStorage,
    ) -> None:
        """The region's cluster, its workloads at the role's replica count, Velero, and the ingress address."""
        cfg, names, name = self._cfg, self.names, self._name
        aks, pool = cfg.aks, cfg.aks.system_pool
        # The stack's tags carry no role: a switch changes nothing here but replica counts (DESIGN §3).
        tags = dict(self.tags)
        registry_id = self._owner_value("registry_id", self.contract["registry_id"]) if cfg.registry.enabled else None
        cluster = AksCluster(
            f"{name}-aks",
            AksClusterArgs(
                cluster_name=names.aks,
                dns_prefix=names.aks_dns_prefix,
                node_resource_group=names.aks_node_resource_group,
                tenant_id=client.tenant_id,
                subscription_id=client.subscription_id,
                admin_group_object_ids=aks.admin_group_object_ids,
                interfaces=interfaces,
                vm_size=pool.vm_size,
                min_nodes=pool.min_count,
                max_nodes=pool.max_count,
                max_pods=pool.max_pods,
                zones=cfg.aks_zones,
                sku_tier=aks.sku_tier,
                upgrade_channel=aks.upgrade_channel,
                node_os_upgrade_channel=aks.node_os_upgrade_channel,
                private_cluster=aks.private_cluster,
                authorized_ip_ranges=aks.api_server_authorized_ranges,
                subnet_id=self.net.aks_subnet_id or aks.subnet_id,
                registry_id=registry_id,
                kubelogin=aks.kubelogin,
                # The region is down: no credentials invoke (it would fail and stop even a targeted `up`).
                read_credentials=not cfg.unreachable,
            ),
            opts=self._child,
        )
        self.contract["aks_cluster_name"] = cluster.cluster_name
        exposure: IngressExposure | None = None
        if any(w.ingress for w in cfg.workloads):
            address = IngressAddress(
                f"{name}-ingress",
                IngressAddressArgs(
                    ip_name=names.ingress_ip,
                    dns_label=names.ingress_dns_label,
                    resource_group_name=self.resource_group_name,
                    location=cfg.region,
                    subscription_id=client.subscription_id,
                    cluster_principal_id=cluster.principal_id,
                    zones=["1", "2", "3"] if has_zones(cfg.region) else [],
                    tags=tags,
                ),
                opts=self._child,
            )
            # Front Door reaches the origin from its backend ranges only; Traffic Manager clients connect directly.
            allowed = ["AzureFrontDoor.Backend"] if cfg.routing.kind == "frontdoor" else []
            exposure = IngressExposure(address.ip_name, self.resource_group_name, allowed)
            self.contract["ingress_fqdn"] = address.fqdn
            if cfg.routing.origin == "cluster":
                self._origin_host = address.fqdn
        login_server = self._owner_value("registry_login_server", self.contract["registry_login_server"])
        if cfg.workloads and cluster.provider is not None:  # no provider: the cluster's region is unreachable
            Workloads(
                f"{name}-apps",
                WorkloadsArgs(
                    namespace=cfg.workload_namespace,
                    provider=cluster.provider,
                    labels={"app.kubernetes.io/part-of": cfg.workload},
                    workloads=[
                        WorkloadSpec(
                            name=w.name,
                            image=_image_ref(login_server, w.image),
                            replicas=cfg.replicas(w),
                            max_replicas=w.max_replicas,
                            port=w.port,
                            cpu_utilization=w.cpu_utilization,
                            cpu=w.cpu,
                            memory=w.memory,
                            max_unavailable=w.max_unavailable,
                            health_path=w.health_path,
                            ingress=exposure if w.ingress else None,
                        )
                        for w in cfg.workloads
                    ],
                ),
                opts=self._child,
            )
        if cfg.velero.enabled:
            peer = None
            if self._peer is not None:
                # Read what the peer exports: its container exists only once the peer has Velero.
                peer = BackupContainer(
                    resource_group_name=self._peer.get("resource_group_name"),
                    account_name=self._peer.get("storage_account_name"),
                    container_id=self._peer.get("velero_container_id"),
                )
            velero = VeleroBackups(
                f"{name}-velero",
                VeleroArgs(
                    provider=cluster.provider,
                    oidc_issuer_url=cluster.oidc_issuer_url,
                    identity_name=names.velero_identity,
                    resource_group_name=self.resource_group_name,
                    location=cfg.region,
                    subscription_id=client.subscription_id,
                    storage_account_name=storage.account_name,
                    namespaces=cfg.velero.namespaces or [cfg.workload_namespace],
                    schedule=cfg.velero.schedule,
                    ttl_hours=cfg.velero.ttl_hours,
                    chart_version=cfg.velero.chart_version,
                    plugin_image=cfg.velero.plugin_image,
                    peer=peer,
                    tags=tags,
                    removal_policy=cfg.removal_policy,
                ),
                opts=self._child,
            )
            self.contract["velero_container_id"] = velero.container_id

    def _routing(self) -> None:
        cfg, names = self._cfg, self.names
        routing = cfg.routing
        global_rg = self._owner_value("global_resource_group_name", self._global_rg())
        if routing.kind == "frontdoor":
            own: dict[str, pulumi.Input[Any]] = {}
            fd: FrontDoorGlobal | None = None
            if self._global is not None:
                fd = FrontDoorGlobal(
                    f"{self._global_name}-afd",
                    FrontDoorGlobalArgs(
                        profile_name=names.frontdoor_profile,
                        endpoint_name=names.frontdoor_endpoint,
                        resource_group_name=self._global.resource_group_name,
                        sku=routing.frontdoor_sku,
                        probe_path=routing.probe.path,
                        probe_protocol=routing.probe.protocol,
                        probe_interval_seconds=routing.probe.interval_seconds,
                        tags=self.tags,
                        removal_policy=cfg.removal_policy,
                    ),
                    opts=self._moved_global("afd"),
                )
                own = {
                    "frontdoor_profile_name": fd.profile_name,
                    "frontdoor_profile_id": fd.profile_id,
                    "origin_group_name": fd.origin_group_name,
                    "origin_group_id": fd.origin_group_id,
                    "frontdoor_endpoint_host": fd.endpoint_host_name,
                    "routing_kind": "frontdoor",
                }
                self.contract.update(own)
            origin = FrontDoorOrigin(
                f"{self._name}-origin",
                RegionalOriginArgs(
                    origin_name=names.frontdoor_origin,
                    host_name=self._origin,
                    active=cfg.is_active,
                    draining=routing.draining,
                    profile_name=self._owner_value("frontdoor_profile_name", own.get("frontdoor_profile_name")),
                    origin_group_name=self._owner_value("origin_group_name", own.get("origin_group_name")),
                    resource_group_name=global_rg,
                ),
                opts=self._child,
            )
            if fd is not None and self._global is not None:
                FrontDoorRoute(
                    f"{self._global_name}-afd",
                    FrontDoorRouteArgs(
                        profile_name=own["frontdoor_profile_name"],
                        # From the AFDEndpoint's output, so the route depends on the endpoint (never a re-typed
                        # name: a first `up` would race the endpoint's creation).
                        endpoint_name=fd.endpoint_name,
                        origin_group_id=own["origin_group_id"],
                        resource_group_name=self._global.resource_group_name,
                        origins=[origin],
                    ),
                    opts=self._moved_global("afd"),
                )
            return
        tm_profile: pulumi.Input[Any] = None
        if self._global is not None:
            tm = TrafficManagerGlobal(
                f"{self._global_name}-traf",
                TrafficManagerGlobalArgs(
                    profile_name=names.traffic_manager,
                    resource_group_name=self._global.resource_group_name,
                    probe_path=routing.probe.path,
                    probe_protocol=routing.probe.protocol,
                    probe_interval_seconds=routing.probe.interval_seconds,
                    tags=self.tags,
                    removal_policy=cfg.removal_policy,
                ),
                opts=self._moved_global("traf"),
            )
            tm_profile = tm.profile_name
            self.contract.update({"traffic_manager_profile_name": tm_profile, "routing_kind": "trafficmanager"})
        TrafficManagerEndpoint(
            f"{self._name}-endpoint",
            TrafficManagerEndpointArgs(
                endpoint_name=cfg.region,
                target=self._origin,
                location=cfg.region,
                active=cfg.is_active,
                draining=routing.draining,
                profile_name=self._owner_value("traffic_manager_profile_name", tm_profile),
                resource_group_name=global_rg,
            ),
            opts=self._child,
        )

    def _global_rg(self) -> pulumi.Input[Any]:
        return self._global.resource_group_name if self._global is not None else None

    def _cosmos(self, interfaces: DataInterfaces) -> None:
        cfg = self._cfg
        assert cfg.peer_region is not None and self._global is not None  # validation requires both for the owner
        active, standby = (cfg.region, cfg.peer_region) if cfg.is_active else (cfg.peer_region, cfg.region)
        cosmos = CosmosAccount(
            cosmos_name := f"{self._global_name}-cosmos",
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
                private_endpoints=self.net.endpoints(
                    COSMOS_GROUP[cfg.cosmos.api], cosmos_name, cfg.cosmos.private_endpoint
                ),
                **_common(self._global_interfaces(interfaces)),
            ),
            opts=self._moved_global("cosmos"),
        )
        self.contract.update({"cosmos_account_name": cosmos.account_name, "cosmos_endpoint": cosmos.endpoint})
        self.cosmos_account_id = cosmos.account_id
        self._shared_targets[COSMOS_GROUP[cfg.cosmos.api]] = cosmos.account_id

    def _registry(self, interfaces: DataInterfaces) -> None:
        cfg = self._cfg
        if self._global is not None:
            registry = ContainerRegistry(
                cr_name := f"{self._global_name}-cr",
                ContainerRegistryArgs(
                    registry_name=self.names.container_registry,
                    retention_days=cfg.registry.retention_days,
                    soft_delete_days=cfg.registry.soft_delete_days,
                    geo_replicated=cfg.peer_region is not None,
                    public_network_access=cfg.registry.public_network_access,
                    private_endpoints=self.net.endpoints("registry", cr_name, cfg.registry.private_endpoint),
                    **_common(self._global_interfaces(interfaces)),
                ),
                opts=self._moved_global("cr"),
            )
            self.contract.update(
                {
                    "registry_id": registry.registry_id,
                    "registry_name": registry.registry_name,
                    "registry_login_server": registry.login_server,
                }
            )
            self._shared_targets["registry"] = registry.registry_id
            if (cfg.global_layer.home_region or cfg.region) == cfg.region:
                return  # the registry's home region needs no replication
        RegistryReplica(
            f"{self._name}-cr",
            RegistryReplicaArgs(
                registry_name=self._owner_value("registry_name", self.contract.get("registry_name")),
                registry_resource_group_name=self._owner_value("global_resource_group_name", self._global_rg()),
                location=cfg.region,
                tags=self.tags,
            ),
            opts=self._child,
        )

    def _redis(self, interfaces: DataInterfaces, persistence: RedisPersistenceArgs | None) -> None:
        cfg = self._cfg
        if cfg.redis.geo_secondary:
            interfaces = dataclasses.replace(interfaces, tags={**interfaces.tags, GEO_SECONDARY_TAG: "true"})
        cache = RedisCache(
            redis_name := f"{self._name}-redis",
            RedisCacheArgs(
                cache_name=self.names.redis,
                capacity=cfg.redis.capacity,
                geo_replicated=cfg.redis.dr_mechanism == "geo-replication",
                persistence=persistence,
                managed_identities=_identity(interfaces),
                private_endpoints=self.net.endpoints("redisCache", redis_name, cfg.redis.private_endpoint),
                **_common(interfaces),
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
        if cfg.redis.geo_secondary:
            # The link lives under the peer's (geo-primary) cache. It is written by drctl, not by the role:
            # a forced promotion unlinks from the surviving side (runbook) instead of deleting it from here.
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


def _image_ref(login_server: pulumi.Input[Any], image: str) -> pulumi.Output[str]:
    """``<login server>/<image>``; the bare image while the login server is unknown (a peer not yet planned)."""
    return pulumi.Output.from_input(login_server).apply(lambda server: f"{server}/{image}" if server else image)
