"""The network stack rules, compliant and violating, through the real pack process; and over the shipped plans."""

from __future__ import annotations

from typing import Any

from azure_dr.cli.engine.recording import RecordedResource, StackPlan
from tests.policy_harness import analyze, make_resource

RG = "azure-native:resources:ResourceGroup"
VNET = "azure-native:network:VirtualNetwork"
PEERING = "azure-native:network:VirtualNetworkPeering"
PE = "azure-native:network:PrivateEndpoint"
ZONE = "azure-native:privatedns:PrivateZone"
LINK = "azure-native:privatedns:VirtualNetworkLink"
KV = "azure-native:keyvault:Vault"
PG = "azure-native:dbforpostgresql:Server"
REF = "pulumi:pulumi:StackReference"
SUB = "/subscriptions/s/resourceGroups"
PEER_VNET = f"{SUB}/rg-ukw/providers/Microsoft.Network/virtualNetworks/vnet-ukw"
COSMOS_ID = f"{SUB}/rg-global/providers/Microsoft.DocumentDB/databaseAccounts/cosmos"


def group(region: str = "uksouth") -> RecordedResource:
    return make_resource(RG, {"location": region}, name="rg")


def peer(**outputs: Any) -> RecordedResource:
    return make_resource(REF, {"name": "organization/azure-dr/dr", "outputs": outputs}, name="peer-dr", read=True)


def vnet(space: str = "10.10.0.0/16") -> RecordedResource:
    return make_resource(VNET, {"location": "uksouth", "addressSpace": {"addressPrefixes": [space]}}, name="vnet")


def vault(name: str = "kv", access: str = "disabled") -> RecordedResource:
    return make_resource(KV, {"location": "uksouth", "properties": {"publicNetworkAccess": access}}, name=name)


def endpoint(target: RecordedResource | str, location: str = "uksouth", name: str = "pe") -> RecordedResource:
    target_id = target if isinstance(target, str) else f"{SUB}/rg/{target.name}"
    deps = {} if isinstance(target, str) else {"privateLinkServiceConnections": (target.urn,)}
    props = {"location": location, "privateLinkServiceConnections": [{"privateLinkServiceId": target_id}]}
    return make_resource(PE, props, name=name, property_dependencies=deps)


def violations(rule: str, resources: list[RecordedResource]) -> list[str]:
    return [r.message for r in analyze(resources).violations(rule)]


def test_net_private_endpoints() -> None:
    kv = vault()
    assert violations("net-private-endpoints", [group(), kv, endpoint(kv)]) == []
    found = violations("net-private-endpoints", [group(), kv])
    assert len(found) == 1 and "kv: public network access is disabled but no private endpoint in uksouth" in found[0]
    # an endpoint in another region does not serve this one
    assert violations("net-private-endpoints", [group(), kv, endpoint(kv, location="ukwest")])
    # a public service is another rule's business; a VNet-integrated server needs no endpoint
    assert violations("net-private-endpoints", [group(), vault(access="Enabled")]) == []
    integrated = make_resource(PG, {"network": {"delegatedSubnetResourceId": "/s/subnets/pg"}}, name="psql")
    assert violations("net-private-endpoints", [group(), integrated]) == []
    # the owner's shared services need this region's endpoint too
    shared = peer(shared_private_link_targets={"Sql": COSMOS_ID})
    assert "the peer's shared Sql service" in violations("net-private-endpoints", [group(), shared])[0]
    assert violations("net-private-endpoints", [group(), shared, endpoint(COSMOS_ID)]) == []


def test_net_address_overlap() -> None:
    assert violations("net-address-overlap", [group(), vnet(), peer(network_address_space="10.20.0.0/16")]) == []
    found = violations("net-address-overlap", [group(), vnet(), peer(network_address_space="10.10.128.0/17")])
    assert len(found) == 1 and "10.10.0.0/16 overlaps the peer stack's network (10.10.128.0/17)" in found[0]
    bad_peering = make_resource(PEERING, {"remoteAddressSpace": {"addressPrefixes": ["10.0.0.0/8"]}}, name="peering")
    assert (
        "overlaps peering peering's remote network"
        in violations("net-address-overlap", [group(), vnet(), bad_peering])[0]
    )


def test_net_peering() -> None:
    own = vnet()
    side = make_resource(
        PEERING, {"remoteVirtualNetwork": {"id": PEER_VNET}, "allowVirtualNetworkAccess": True}, name="peering"
    )
    assert violations("net-peering", [group(), own, side, peer(network_vnet_id=PEER_VNET)]) == []
    assert violations("net-peering", [group(), own]) == []  # no peer network yet: nothing to peer with
    found = violations("net-peering", [group(), own, peer(network_vnet_id=PEER_VNET)])
    assert "vnet: no peering to the peer's network" in found[0]
    closed = make_resource(
        PEERING, {"remoteVirtualNetwork": {"id": PEER_VNET}, "allowVirtualNetworkAccess": False}, name="peering"
    )
    assert "allowVirtualNetworkAccess is not true" in violations("net-peering", [group(), own, closed])[0]


def link(zone: RecordedResource, network: RecordedResource | str, name: str) -> RecordedResource:
    network_id = network if isinstance(network, str) else f"{SUB}/rg/{network.name}"
    deps: dict[str, tuple[str, ...]] = {"privateZoneName": (zone.urn,)}
    if not isinstance(network, str):
        deps["virtualNetwork"] = (network.urn,)
    props = {"privateZoneName": "privatelink.vaultcore.azure.net", "virtualNetwork": {"id": network_id}}
    return make_resource(LINK, props, name=name, property_dependencies=deps)


def test_net_dns_links() -> None:
    own = vnet()
    zone = make_resource(
        ZONE, {"privateZoneName": "privatelink.vaultcore.azure.net", "location": "global"}, name="zone"
    )
    both = [
        group(),
        own,
        zone,
        link(zone, own, "to-own"),
        link(zone, PEER_VNET, "to-peer"),
        peer(network_vnet_id=PEER_VNET),
    ]
    assert violations("net-dns-links", both) == []
    found = violations(
        "net-dns-links", [group(), own, zone, link(zone, own, "to-own"), peer(network_vnet_id=PEER_VNET)]
    )
    assert len(found) == 1 and "zone: not linked to the peer's network" in found[0]
    unlinked = violations("net-dns-links", [group(), own, zone, link(zone, PEER_VNET, "to-peer")])
    assert "zone: not linked to this region's network vnet" in unlinked[0]
    assert violations("net-dns-links", [group(), own]) == []  # a stack without zones (not the owner)


def test_the_shipped_plans_pass_every_network_rule(shipped: dict[str, StackPlan]) -> None:
    rules = ("net-private-endpoints", "net-address-overlap", "net-dns-links", "net-peering", "net-subnet-nsg")
    for stack, p in shipped.items():
        found = analyze([r for r in p.resources if r.custom], stack=stack)
        assert [m.message for m in found.results if m.policy_name in rules] == []
        assert p.of_type(VNET) and p.of_type(PEERING) and p.of_type(PE)  # the rules had something to judge
    assert shipped["primary"].of_type(ZONE) and shipped["primary"].of_type(LINK)
