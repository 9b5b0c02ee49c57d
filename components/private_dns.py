"""The pair's private DNS zones, one per private link zone, in the global layer's group, linked to every network.

A private endpoint registers its address in the zone of its group, so a service's private name resolves the same
way from both regions, and keeps resolving after a promotion: the zones and their links live in the global
layer's resource group (metadata in the DR region), not in a region that can be lost. The global-owner stack
owns them, with a link to each region's network (the peer's once it exports one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import privatedns

#: The private DNS zone of each private link group, Azure public cloud (Microsoft Learn, "Azure Private Endpoint
#: private DNS zone values").
PRIVATE_LINK_ZONES: Mapping[str, str] = {
    "postgresqlServer": "privatelink.postgres.database.azure.com",
    "blob": "privatelink.blob.core.windows.net",
    "vault": "privatelink.vaultcore.azure.net",
    "Sql": "privatelink.documents.azure.com",
    "MongoDB": "privatelink.mongo.cosmos.azure.com",
    "Gremlin": "privatelink.gremlin.cosmos.azure.com",
    "redisCache": "privatelink.redis.cache.windows.net",
    "registry": "privatelink.azurecr.io",
}

#: The zone key of a VNet-integrated PostgreSQL server's zone (its name comes from ``postgres_vnet_zone``).
POSTGRES_VNET_ZONE = "postgresVnet"


def postgres_vnet_zone(workload: str, environment: str) -> str:
    """A VNet-integrated server's zone: a name ending in ``.postgres.database.azure.com`` other than the private
    link zone (Learn, "Networking with private access (VNet integration) for Azure Database for PostgreSQL")."""
    return f"{workload}-{environment}.private.postgres.database.azure.com"


@dataclass(frozen=True, kw_only=True)
class PrivateDnsZonesArgs:
    """Zones (key → DNS name) and the networks (key → id) every zone is linked to.

    The links only resolve (``registrationEnabled: false``): private endpoints write their own records through
    their zone groups.
    """

    resource_group_name: pulumi.Input[str]
    zones: Mapping[str, str]
    virtual_network_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Keyed by a stable name (the region's short name): the key, not the id, is in each link's name."""
    tags: Mapping[str, str] = field(default_factory=dict)


class PrivateDnsZones(pulumi.ComponentResource):
    """One private DNS zone per key and a link from each zone to each network."""

    zones: dict[str, privatedns.PrivateZone]
    links: dict[tuple[str, str], privatedns.VirtualNetworkLink]
    zone_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: PrivateDnsZonesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:network:PrivateDnsZones", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.zones, self.links = {}, {}
        for key, dns_name in sorted(args.zones.items()):
            zone = privatedns.PrivateZone(
                f"{name}-{key}",
                private_zone_name=dns_name,
                resource_group_name=args.resource_group_name,
                location="global",  # private DNS zones are global resources (Learn, "What is Azure Private DNS?")
                tags=dict(args.tags),
                opts=child,
            )
            self.zones[key] = zone
            for network_key, network_id in sorted(args.virtual_network_ids.items()):
                self.links[(key, network_key)] = privatedns.VirtualNetworkLink(
                    f"{name}-{key}-{network_key}",
                    virtual_network_link_name=f"link-{network_key}",
                    private_zone_name=zone.name,
                    resource_group_name=args.resource_group_name,
                    location="global",
                    virtual_network=privatedns.SubResourceArgs(id=network_id),
                    registration_enabled=False,
                    tags=dict(args.tags),
                    opts=child,
                )
        self.zone_ids = {key: zone.id for key, zone in self.zones.items()}
        self.register_outputs({"zone_ids": self.zone_ids})


def zones_for(groups: Sequence[str], postgres_vnet: str | None) -> dict[str, str]:
    """The zones a pair needs: one per private link group in use, and the VNet-integration zone if chosen."""
    zones = {group: PRIVATE_LINK_ZONES[group] for group in groups}
    if postgres_vnet is not None:
        zones[POSTGRES_VNET_ZONE] = postgres_vnet
    return zones
