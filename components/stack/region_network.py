"""The network tier of one stack, from its config: the regional network, the pair's DNS zones (global owner only)
and the private endpoint each data service gets in this region.

Every service is reached the same way from both regions: its private endpoint sits in this region's
``private_endpoints`` subnet and registers in the pair's zone for its group. The shared services (Cosmos DB,
the registry) belong to the global owner, so each region adds its own endpoint to them (its share, like its
Front Door origin); the owner exports their ids by group (``shared_private_link_targets``).

One endpoint of a shared service already carries every region's name (a Cosmos DB endpoint reserves an address
for the global and each regional endpoint; a registry endpoint one for the login server and each replica's data
endpoint, ``<registry>.<region>.data.azurecr.io``), and two endpoints of one resource registering in one zone
overwrite each other's records (Learn, "Azure Private Endpoint private DNS zone values"; "Connect privately to
an Azure container registry using Azure Private Link"). So exactly one of the two registers the shared names:
the one in the region of the global layer's group (``shared_endpoint_dns_region``, the DR region by default),
whose names keep resolving when the primary region is lost. The other region's endpoint is ready, unregistered
(docs/networking.md: re-pointing the names if the DR region itself is lost).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from ..cosmos import PRIVATE_LINK_GROUP as COSMOS_GROUP
from ..facts.addressing import AKS_DEFAULT_RANGES
from ..facts.regions import region
from ..global_layer import GlobalLayer
from ..interfaces import PrivateEndpointArgs, private_endpoint_args, private_endpoints
from ..naming import Names
from ..network import InboundAllow, PeeringArgs, RegionalNetwork, RegionalNetworkArgs, SubnetRole
from ..private_dns import (
    POSTGRES_VNET_ZONE,
    PrivateDnsZones,
    PrivateDnsZonesArgs,
    postgres_vnet_zone,
    zones_for,
)
from .config import PrivateEndpoint, StackConfig

#: The groups of the services one stack owns for the pair (an endpoint in each region, one registering).
SHARED_GROUPS = frozenset({*COSMOS_GROUP.values(), "registry"})


@dataclass
class NetworkTier:
    """What the services of the region need from the network tier (empty without ``network`` in config)."""

    network: RegionalNetwork | None = None
    zones: PrivateDnsZones | None = None
    zone_ids: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    resource_group_name: pulumi.Input[str] | None = None
    location: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The region's tags: an endpoint never carries its service's state tags, so no switch rewrites it."""
    shared_dns_region: str | None = None
    """Where the shared services' endpoint that registers their names is (module docstring)."""
    exports: dict[str, Any] = field(default_factory=dict)
    """The contract keys the tier sets (``azure_dr.components.stack.contract``): the network, and the owner's zones."""

    def endpoints(
        self, group: str, component: str, byo: PrivateEndpoint | None = None
    ) -> dict[str, PrivateEndpointArgs]:
        """The private endpoint of ``component``'s service (private link ``group``) in this region, keyed by the
        region: in the network's subnet, registered in the pair's zone (a shared service's only in
        ``shared_dns_region``); or the one the config names (``<service>.private_endpoint``) without a network.
        Its Azure name stays ``pep-<component>``, the name it was created with (create-only)."""
        if self.network is None:
            return private_endpoint_args(self.location, component, byo)
        registers = group not in SHARED_GROUPS or self.shared_dns_region == self.location
        zone = self.zone_ids.get(group) if registers else None
        return {
            self.location: PrivateEndpointArgs(
                subnet_resource_id=self.network.subnet_ids["private_endpoints"],
                private_dns_zone_resource_ids=[zone] if zone is not None else (),
                name=f"pep-{component}",
                resource_group_name=self.resource_group_name,
                location=self.location,
                tags=self.tags,
            )
        }

    @property
    def aks_subnet_id(self) -> pulumi.Output[str] | None:
        return self.network.subnet_ids.get("aks") if self.network is not None else None

    def postgres_vnet(self) -> tuple[pulumi.Output[str], pulumi.Input[str]] | None:
        """The delegated subnet and zone of a VNet-integrated server (None: reached by a private endpoint)."""
        if self.network is None or "postgres" not in self.network.subnet_ids:
            return None
        zone = self.zone_ids.get(POSTGRES_VNET_ZONE)
        if zone is None:
            return None
        return self.network.subnet_ids["postgres"], zone


def pair_groups(cfg: StackConfig) -> list[str]:
    """The private link groups the pair's services use, as the global owner's config declares them."""
    groups = ["vault", "blob"]
    if cfg.network is not None and cfg.network.postgres_access == "private-endpoint":
        groups.append("postgresqlServer")
    if cfg.redis.enabled:
        groups.append("redisCache")
    if cfg.registry.enabled:
        groups.append("registry")
    if cfg.cosmos.enabled:
        groups.append(COSMOS_GROUP[cfg.cosmos.api])
    return groups


def build_network_tier(
    parent: pulumi.ComponentResource,
    name: str,
    cfg: StackConfig,
    resource_group_name: pulumi.Input[str],
    global_layer: GlobalLayer | None,
    peer_network: Mapping[str, Any],
    tags: Mapping[str, str],
) -> NetworkTier:
    """The network, this side of the peering (once the peer exports its network), and, on the global owner,
    the zones linked to both networks; nothing without ``network`` in config."""
    net_cfg = cfg.network
    if net_cfg is None:
        return NetworkTier(location=cfg.region)
    names = Names(cfg.workload, cfg.environment, cfg.region)
    subnets: dict[SubnetRole, str] = {}
    for role, cidr in net_cfg.subnet_plan.items():
        if role == "aks" and not cfg.aks.enabled:
            continue
        subnets[role] = cidr  # type: ignore[index]  # roles are SUBNET_ROLES (azure_dr.components.facts.addressing)
    inbound: dict[SubnetRole, list[InboundAllow]] = {}
    if cfg.aks.enabled:
        # Azure CNI Overlay: pods take addresses from the pod CIDR, outside the virtual network, and node<->pod
        # and pod<->pod traffic must be allowed by the node subnet's security group (Learn, "Configure Azure CNI
        # Overlay networking in Azure Kubernetes Service (AKS)", network security groups). The cluster uses AKS's
        # default pod range (facts.addressing).
        inbound["aks"] = [InboundAllow(name="allow-pod-cidr", source=AKS_DEFAULT_RANGES["pod"])]
    if any(w.ingress for w in cfg.workloads):
        # Front Door reaches the origin from its backend ranges only; Traffic Manager clients connect directly.
        source = "AzureFrontDoor.Backend" if cfg.routing.kind == "frontdoor" else "Internet"
        inbound.setdefault("aks", []).append(InboundAllow(name="allow-ingress-https", source=source, ports="443"))
    peer_id, peer_space = peer_network.get("network_vnet_id"), peer_network.get("network_address_space")
    # Until the peer exports a network (the pair's first `pulumi up`), its side waits (docs/networking.md).
    peering = None
    if peer_id and peer_space and cfg.peer_region is not None:
        peering = PeeringArgs(
            name=f"peer-{region(cfg.peer_region).short}",
            remote_virtual_network_id=str(peer_id),
            remote_address_space=str(peer_space),
        )
    network = RegionalNetwork(
        f"{name}-net",
        RegionalNetworkArgs(
            virtual_network_name=names.virtual_network,
            resource_group_name=resource_group_name,
            location=cfg.region,
            address_space=net_cfg.address_space,
            subnets=subnets,
            inbound=inbound,
            peering=peering,
            tags=tags,
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    tier = NetworkTier(network=network, resource_group_name=resource_group_name, location=cfg.region, tags=tags)
    tier.exports = {
        "network_vnet_id": network.virtual_network_id,
        "network_address_space": net_cfg.address_space,
        "network_postgres_access": net_cfg.postgres_access,
    }
    if global_layer is not None:
        tier.shared_dns_region = global_group_region(cfg)
        links: dict[str, pulumi.Input[str]] = {region(cfg.region).short: network.virtual_network_id}
        if peer_id and cfg.peer_region is not None:
            links[region(cfg.peer_region).short] = str(peer_id)
        vnet_zone = (
            postgres_vnet_zone(cfg.workload, cfg.environment) if net_cfg.postgres_access == "vnet-integration" else None
        )
        tier.zones = PrivateDnsZones(
            f"{cfg.workload}-{cfg.environment}-dns",
            PrivateDnsZonesArgs(
                resource_group_name=global_layer.resource_group_name,
                zones=zones_for(pair_groups(cfg), vnet_zone),
                virtual_network_ids=links,
                tags=tags,
            ),
            opts=pulumi.ResourceOptions(parent=global_layer),
        )
        tier.zone_ids = dict(tier.zones.zone_ids)
        tier.exports.update(
            {"private_dns_zone_ids": tier.zones.zone_ids, "shared_endpoint_dns_region": tier.shared_dns_region}
        )
    else:
        tier.zone_ids = {str(k): str(v) for k, v in (peer_network.get("private_dns_zone_ids") or {}).items()}
        dns_region = peer_network.get("shared_endpoint_dns_region")
        tier.shared_dns_region = str(dns_region) if dns_region else None
    return tier


def global_group_region(cfg: StackConfig) -> str:
    """The global owner's answer: the region of the global layer's group (``GlobalLayer.resource_group_region``,
    default the peer region), so the shared names resolve to the endpoint that survives the primary's loss."""
    return cfg.global_layer.resource_group_region or cfg.peer_region or cfg.region


def shared_endpoints(
    parent: pulumi.ComponentResource, name: str, tier: NetworkTier, targets: Mapping[str, Any], tags: Mapping[str, str]
) -> None:
    """This region's endpoints to the services the global owner shares (its exports, by group).

    They carry no lock: the service they reach is locked by its owner, and the day this region adopts the global
    layer it owns the services and stops declaring these endpoints, which a lock would keep from being deleted.
    """
    if tier.network is None or tier.resource_group_name is None:
        return
    for group, target_id in sorted(targets.items()):
        if not target_id:
            continue
        component = f"{name}-{group.lower()}"
        private_endpoints(
            parent,
            component,
            str(target_id),
            tier.endpoints(group, component),
            group=group,
            location=tier.location,
            resource_group_name=tier.resource_group_name,
            tags=tags,
            lock=None,
        )
