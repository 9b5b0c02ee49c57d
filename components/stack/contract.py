"""The contract between the stacks: the outputs one stack exports and its peer reads, defined once.

Each stack exports every key (None where it owns nothing of that kind); the peer reads them through a
``StackReference``. Both sides use this module, so a renamed output breaks loudly in one place.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.runtime.sync_await import _sync_await

CONTRACT: dict[str, str] = {
    "role": "active | standby",
    "region": "the stack's Azure region",
    "resource_group_name": "the region's resource group",
    "owns_global": "whether this stack owns the shared global objects",
    "postgres_server_id": "the region's PostgreSQL server id (the replica's source on the peer)",
    "postgres_server_name": "the region's PostgreSQL server name",
    "postgres_fqdn": "the region's PostgreSQL host name",
    "postgres_writer_host": "the pair's writer host name (virtual endpoint) or the server's own",
    "postgres_replica_of": "the server this stack's current server was created from (None for a primary)",
    "postgres_state": "the current server's lifecycle step (new, primary, replica, promoting)",
    "postgres_sku_name": "the server's compute SKU (a replica must be at least this size)",
    "postgres_sku_tier": "the server's compute tier",
    "postgres_storage_gb": "the server's storage size",
    "postgres_version": "the server's PostgreSQL major version (a read replica runs the same)",
    "key_vault_uri": "the region's Key Vault URI",
    "storage_account_id": "the region's geo-redundant storage account id",
    "log_analytics_workspace_id": "the region's Log Analytics workspace id",
    "redis_cache_id": "the region's Redis cache id (the link target on the standby side)",
    "redis_cache_name": "the region's Redis cache name",
    "redis_hostname": "the region's Redis host name",
    "redis_capacity": "the cache's Premium capacity (a geo-secondary must be at least this size)",
    "redis_geo_secondary": "whether this stack's cache is the geo-secondary of the peer's (declares the link)",
    "storage_account_name": "the region's geo-redundant storage account name",
    "aks_cluster_name": "the region's AKS cluster name (None without a cluster)",
    "ingress_fqdn": "the region's public ingress host name (None without an ingress workload)",
    "velero_container_id": "the container holding the region's Velero backups (the peer restores from it)",
    "network_vnet_id": "the region's virtual network id (the peer peers with it; the owner links its DNS zones)",
    "network_address_space": "the region's address space (the peer's must not overlap it)",
    "network_postgres_access": "how the region's PostgreSQL server is reached: private-endpoint | vnet-integration",
    # global objects: set by the global-owner stack, None elsewhere
    "routing_kind": "frontdoor | trafficmanager",
    "frontdoor_profile_name": "the Front Door profile every stack adds its origin to",
    "frontdoor_profile_id": "the Front Door profile id (the origin-health alert's scope)",
    "origin_group_name": "the Front Door origin group name",
    "origin_group_id": "the Front Door origin group id",
    "frontdoor_endpoint_host": "the Front Door endpoint host name clients use",
    "traffic_manager_profile_name": "the Traffic Manager profile every stack adds its endpoint to",
    "registry_id": "the container registry id",
    "registry_name": "the container registry name every other region replicates",
    "registry_login_server": "the registry login server",
    "cosmos_account_name": "the Cosmos DB account name",
    "cosmos_endpoint": "the Cosmos DB document endpoint",
    "global_resource_group_name": "the global layer's own resource group (origins and replications live there)",
    "private_dns_zone_ids": "the pair's private DNS zone ids by private link group (every region's endpoints use them)",
    "shared_private_link_targets": "the shared services' ids by private link group (each region's endpoints to them)",
    "shared_endpoint_dns_region": "the region whose endpoints to the shared services register their names",
}

GLOBAL_KEYS = (
    "routing_kind",
    "frontdoor_profile_name",
    "frontdoor_profile_id",
    "origin_group_name",
    "origin_group_id",
    "frontdoor_endpoint_host",
    "traffic_manager_profile_name",
    "registry_id",
    "registry_name",
    "registry_login_server",
    "cosmos_account_name",
    "cosmos_endpoint",
    "global_resource_group_name",
    "private_dns_zone_ids",
    "shared_private_link_targets",
    "shared_endpoint_dns_region",
)

#: The region's network: None where the stack declares none.
NETWORK_KEYS = ("network_vnet_id", "network_address_space", "network_postgres_access")


# Regional keys that are None where they do not apply (a primary has no source server).
NULLABLE_KEYS = frozenset({"postgres_replica_of"})


def export_contract(values: Mapping[str, pulumi.Input[Any]]) -> None:
    """Export exactly the contract's keys; anything missing or extra is a programming error."""
    missing, extra = CONTRACT.keys() - values.keys(), values.keys() - CONTRACT.keys()
    if missing or extra:
        raise ValueError(f"stack contract mismatch: missing {sorted(missing)}, unknown {sorted(extra)}")
    for key in CONTRACT:
        pulumi.export(key, values[key])


def qualified_stack_name(peer_stack: str) -> str:
    """``primary`` → ``<org>/<project>/primary``; a name that already has slashes is kept."""
    if "/" in peer_stack:
        return peer_stack
    return f"{pulumi.get_organization()}/{pulumi.get_project()}/{peer_stack}"


class PeerContract:
    """The peer stack's exports, read through a StackReference, restricted to contract keys."""

    def __init__(self, peer_stack: str, opts: pulumi.ResourceOptions | None = None) -> None:
        self.stack_name = qualified_stack_name(peer_stack)
        self._ref = pulumi.StackReference(f"peer-{peer_stack.rsplit('/', 1)[-1]}", self.stack_name, opts=opts)

    def read(self, keys: Sequence[str]) -> dict[str, Any]:
        """The peer's current values of ``keys``, read now, so that config can be checked against them before
        any resource is registered (None for a key the peer does not export, or whose value is unknown)."""
        for key in keys:
            self.get(key)  # refuses a key outside the contract

        async def details() -> list[Any]:
            found = await asyncio.gather(*(self._ref.get_output_details(k) for k in keys))
            return [d.value if d.value is not None else d.secret_value for d in found]

        return dict(zip(keys, _sync_await(details()), strict=True))

    def get(self, key: str) -> pulumi.Output[Any]:
        """One contract output of the peer; KeyError for a key outside the contract."""
        if key not in CONTRACT:
            raise KeyError(f"{key!r} is not part of the stack contract")
        return self._ref.get_output(key)
