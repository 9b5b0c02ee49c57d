"""The network tier: regional networks, private endpoints, the pair's DNS zones and the global peering."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from azure_dr.cli.engine.programs import ROOT, load_stack
from azure_dr.cli.engine.recording import RecordedResource, StackPlan
from azure_dr.cli.lifecycle.pair import PairError, load_pair
from azure_dr.cli.stackfiles.edit import Edit, StackDocument
from azure_dr.components.facts.addressing import default_subnets, network
from azure_dr.components.private_dns import PRIVATE_LINK_ZONES, postgres_vnet_zone
from azure_dr.components.stack.config import ConfigError, parse_config
from tests.conftest import plan, plan_one

VNET = "azure-native:network:VirtualNetwork"
SUBNET = "azure-native:network:Subnet"
NSG = "azure-native:network:NetworkSecurityGroup"
PEERING = "azure-native:network:VirtualNetworkPeering"
PE = "azure-native:network:PrivateEndpoint"
ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
ZONE = "azure-native:privatedns:PrivateZone"
LINK = "azure-native:privatedns:VirtualNetworkLink"
PG = "azure-native:dbforpostgresql:Server"
CLUSTER = "azure-native:containerservice:ManagedCluster"
ROLE = "azure-native:authorization:RoleAssignment"
NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"

#: Each regional data service and the private link group its endpoint uses.
REGIONAL = {
    "azure-native:keyvault:Vault": "vault",
    "azure-native:storage:StorageAccount": "blob",
    "azure-native:redis:Redis": "redisCache",
    PG: "postgresqlServer",
}
SHARED = {"azure-native:cosmosdb:DatabaseAccount": "Sql", "azure-native:containerregistry:Registry": "registry"}


def subnet(p: StackPlan, role: str) -> RecordedResource:
    (found,) = [s for s in p.of_type(SUBNET) if s.inputs["subnetName"] == f"snet-{role}"]
    return found


def endpoints_to(p: StackPlan, target_id: str) -> list[RecordedResource]:
    return [
        e
        for e in p.of_type(PE)
        if any(c["privateLinkServiceId"] == target_id for c in e.inputs["privateLinkServiceConnections"])
    ]


def zone_group_of(p: StackPlan, endpoint: RecordedResource) -> RecordedResource | None:
    found = [g for g in p.of_type(ZONE_GROUP) if g.inputs["privateEndpointName"] == endpoint.outputs["name"]]
    return found[0] if found else None


def test_each_region_has_its_network_with_deny_by_default_subnets(primary: StackPlan, dr: StackPlan) -> None:
    for p, space in ((primary, "10.10.0.0/16"), (dr, "10.20.0.0/16")):
        vnet = p.one(VNET)
        assert vnet.inputs["addressSpace"]["addressPrefixes"] == [space]
        expected = default_subnets(network(space))
        assert {s.inputs["subnetName"]: s.inputs["addressPrefix"] for s in p.of_type(SUBNET)} == {
            "snet-aks": str(expected["aks"]),
            "snet-private-endpoints": str(expected["private_endpoints"]),
        }
        groups = {g.id: g for g in p.of_type(NSG)}
        for s in p.of_type(SUBNET):
            nsg = groups[s.inputs["networkSecurityGroup"]["id"]]  # every subnet has its own group
            rules = nsg.inputs["securityRules"]
            last = max(rules, key=lambda r: r["priority"])
            assert (last["access"], last["direction"], last["sourceAddressPrefix"], last["priority"]) == (
                "Deny",
                "Inbound",
                "*",
                4096,
            )
            assert all(r["sourceAddressPrefix"] != "*" for r in rules if r["access"] == "Allow")
        # security groups apply to private endpoints only when the subnet's policies are on
        assert subnet(p, "private-endpoints").inputs["privateEndpointNetworkPolicies"] == "Enabled"
        ingress = [r for r in groups[subnet(p, "aks").inputs["networkSecurityGroup"]["id"]].inputs["securityRules"]]
        assert {"name": "allow-ingress-https", "source": "AzureFrontDoor.Backend", "port": "443"} in [
            {"name": r["name"], "source": r["sourceAddressPrefix"], "port": r["destinationPortRange"]} for r in ingress
        ]


def test_every_data_service_has_a_private_endpoint_in_its_region(primary: StackPlan, dr: StackPlan) -> None:
    for p, region in ((primary, "uksouth"), (dr, "ukwest")):
        pe_subnet = subnet(p, "private-endpoints").id
        for type_, group in REGIONAL.items():
            for resource in p.of_type(type_):
                [endpoint] = endpoints_to(p, resource.id or "")
                assert endpoint.inputs["location"] == region and endpoint.inputs["subnet"]["id"] == pe_subnet
                assert endpoint.inputs["privateLinkServiceConnections"][0]["groupIds"] == [group]
                zones = zone_group_of(p, endpoint)
                assert zones is not None
                [config] = zones.inputs["privateDnsZoneConfigs"]
                assert config["privateDnsZoneId"].endswith(f"/privateDnsZones/{PRIVATE_LINK_ZONES[group]}")
                assert "/resourceGroups/rg-qlp-prod-global/" in config["privateDnsZoneId"]


def test_the_shared_services_are_reached_from_both_regions_and_registered_once(
    primary: StackPlan, dr: StackPlan
) -> None:
    """One endpoint of a Cosmos account or a registry carries every region's names; two registering in one zone
    would overwrite each other, so only the endpoint in the global group's region (the DR region) registers."""
    for type_, group in SHARED.items():
        target = primary.one(type_).id or ""
        [owner_side] = endpoints_to(primary, target)
        [dr_side] = endpoints_to(dr, target)
        assert owner_side.inputs["location"] == "uksouth" and dr_side.inputs["location"] == "ukwest"
        assert owner_side.inputs["resourceGroupName"] == "rg-qlp-prod-uks"  # regional: it dies with its region
        assert dr_side.inputs["subnet"]["id"] == subnet(dr, "private-endpoints").id
        assert zone_group_of(primary, owner_side) is None
        registered = zone_group_of(dr, dr_side)
        assert registered is not None
        assert registered.inputs["privateDnsZoneConfigs"][0]["privateDnsZoneId"].endswith(PRIVATE_LINK_ZONES[group])
    assert primary.outputs["shared_endpoint_dns_region"] == "ukwest"


def test_the_dns_zones_live_in_the_global_group_linked_to_both_networks(primary: StackPlan, dr: StackPlan) -> None:
    zones = primary.of_type(ZONE)
    assert {z.inputs["privateZoneName"] for z in zones} == {
        PRIVATE_LINK_ZONES[g] for g in ("vault", "blob", "redisCache", "postgresqlServer", "Sql", "registry")
    }
    assert {z.inputs["resourceGroupName"] for z in zones} == {"rg-qlp-prod-global"}
    assert {z.inputs["location"] for z in zones} == {"global"}
    [component] = primary.of_type("azure-dr:network:PrivateDnsZones")
    assert component.parent is not None and "azure-dr:global:GlobalLayer::" in component.parent  # global layer
    assert {z.parent for z in zones} == {component.urn}
    links = primary.of_type(LINK)
    networks = {primary.one(VNET).id, dr.one(VNET).id}
    for zone in zones:
        mine = [link for link in links if link.inputs["privateZoneName"] == zone.outputs["name"]]
        assert {link.inputs["virtualNetwork"]["id"] for link in mine} == networks
        assert all(link.inputs["registrationEnabled"] is False and link.inputs["location"] == "global" for link in mine)
    assert dr.of_type(ZONE) == [] and dr.of_type(LINK) == []  # the owner holds the zones and every link
    exported = primary.outputs["private_dns_zone_ids"]
    assert {PRIVATE_LINK_ZONES[group]: zone_id.rsplit("/", 1)[-1] for group, zone_id in exported.items()} == {
        PRIVATE_LINK_ZONES[group]: PRIVATE_LINK_ZONES[group] for group in exported
    }


def test_each_stack_owns_its_side_of_the_peering(primary: StackPlan, dr: StackPlan) -> None:
    for p, other, other_space in ((primary, dr, "10.20.0.0/16"), (dr, primary, "10.10.0.0/16")):
        peering = p.one(PEERING)
        assert peering.inputs["virtualNetworkName"] == p.one(VNET).outputs["name"]
        assert peering.inputs["remoteVirtualNetwork"]["id"] == other.one(VNET).id
        assert peering.inputs["remoteAddressSpace"]["addressPrefixes"] == [other_space]
        assert peering.inputs["allowVirtualNetworkAccess"] is True and peering.inputs["useRemoteGateways"] is False


def test_a_stack_waits_for_its_peers_network_before_peering_and_linking() -> None:
    """The first `pulumi up` of the primary, before the dr stack has a network: no peering, its own link only."""
    first = plan_one("primary", peer_outputs={"dr": {}})
    assert first.error is None, first.error
    assert first.of_type(PEERING) == []
    links = first.of_type(LINK)
    assert links and {link.inputs["virtualNetwork"]["id"] for link in links} == {first.one(VNET).id}


def test_the_cluster_joins_its_subnet_with_network_rights(primary: StackPlan) -> None:
    cluster = primary.one(CLUSTER)
    aks_subnet = subnet(primary, "aks")
    assert cluster.inputs["agentPoolProfiles"][0]["vnetSubnetID"] == aks_subnet.id
    [grant] = [r for r in primary.of_type(ROLE) if r.inputs["scope"] == aks_subnet.id]
    assert grant.inputs["roleDefinitionId"].endswith(NETWORK_CONTRIBUTOR)
    assert grant.inputs["principalId"] == cluster.outputs["identity"]["principalId"]


def test_vnet_integration_puts_the_servers_in_delegated_subnets() -> None:
    overrides = {
        stack: {"azure-dr:network": json.dumps({"address_space": space, "postgres_access": "vnet-integration"})}
        for stack, space in (("primary", "10.10.0.0/16"), ("dr", "10.20.0.0/16"))
    }
    plans = plan(overrides)
    zone_name = postgres_vnet_zone("qlp", "prod")
    [zone] = [z for z in plans["primary"].of_type(ZONE) if z.inputs["privateZoneName"] == zone_name]
    assert PRIVATE_LINK_ZONES["postgresqlServer"] not in {
        z.inputs["privateZoneName"] for z in plans["primary"].of_type(ZONE)
    }
    for p in plans.values():
        assert p.error is None, p.error
        delegated = subnet(p, "postgres")
        assert delegated.inputs["delegations"] == [
            {"name": "postgres", "serviceName": "Microsoft.DBforPostgreSQL/flexibleServers"}
        ]
        server = p.one(PG)
        assert server.inputs["network"] == {
            "delegatedSubnetResourceId": delegated.id,
            "privateDnsZoneArmResourceId": zone.id,
        }
        assert endpoints_to(p, server.id or "") == []


@pytest.mark.parametrize(
    ("network_block", "message"),
    [
        (
            {"address_space": "10.10.0.1/16"},
            "network.address_space: '10.10.0.1/16' is not allowed; expected 10.10.0.0/16",
        ),
        ({"address_space": "10.10.0.0/25"}, "a prefix length between /8 and /24"),
        ({"address_space": "10.10.0.0"}, "'10.10.0.0' is not allowed; expected an IPv4 network in CIDR form"),
        ({"address_space": "ten"}, "'ten' is not allowed; expected an IPv4 network in CIDR form"),
        ({"address_space": "10.0.0.0/16"}, "does not overlap the cluster's service range 10.0.0.0/16"),
        ({"address_space": "10.240.0.0/12"}, "does not overlap the cluster's pod range 10.244.0.0/16"),
        (
            {"address_space": "10.10.0.0/16", "subnets": {"aks": "10.10.0.1/20"}},
            "network.subnets.aks: '10.10.0.1/20' is not allowed; expected 10.10.0.0/20 (the address has host bits set)",
        ),
        ({"address_space": "10.10.0.0/16", "subnets": {"aks": "10.11.0.0/20"}}, "a subnet inside 10.10.0.0/16"),
        ({"address_space": "10.10.0.0/16", "subnets": {"aks": "10.10.0.0/30"}}, "a /28 or larger"),
        (
            {"address_space": "10.10.0.0/16", "subnets": {"private_endpoints": "10.10.0.0/24"}},
            "network.subnets.private_endpoints: '10.10.0.0/24' is not allowed; expected a range that does not "
            "overlap network.subnets.aks (10.10.0.0/17)",
        ),
        ({"address_space": "10.10.0.0/16", "postgres_access": "public"}, "network.postgres_access"),
        ({"address_space": "10.10.0.0/16", "dns": True}, "network.dns: unknown key"),
        ({"subnets": {}}, "network.address_space: required but not set"),
    ],
)
def test_bad_networks_are_one_line(network_block: dict[str, Any], message: str) -> None:
    values = primary_values()
    values["network"] = json.dumps(network_block)
    with pytest.raises(ConfigError) as caught:
        parse_config(values)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def primary_values() -> dict[str, Any]:
    """The shipped primary's config as the program receives it, keys without the namespace."""
    return {
        k.removeprefix("azure-dr:"): v
        for k, v in load_stack(ROOT, "primary").config.items()
        if k.startswith("azure-dr:")
    }


@pytest.mark.parametrize(
    ("block", "value", "message"),
    [
        (
            "keyvault",
            {
                "private_endpoint": {
                    "subnet_id": "/subscriptions/s/x/subnets/a",
                    "private_dns_zone_id": "/subscriptions/s/privateDnsZones/z",
                }
            },
            "keyvault.private_endpoint: 'set' is not allowed; expected unset when network is declared",
        ),
    ],
)
def test_a_hand_written_endpoint_beside_the_network_is_refused(block: str, value: Any, message: str) -> None:
    values = primary_values()
    values[block] = json.dumps(value)
    with pytest.raises(ConfigError, match=message):
        parse_config(values)


def test_the_program_refuses_an_address_space_that_overlaps_the_peers() -> None:
    """Whichever stack reads the other's network first refuses it, naming both stacks and both ranges."""
    overrides = {"dr": {"azure-dr:network": json.dumps({"address_space": "10.10.128.0/17"})}}
    failed = [p for p in plan(overrides).values() if p.error is not None]
    assert len(failed) == 1
    [result] = failed
    assert not [r for r in result.resources if r.custom and not r.read], "nothing is registered"
    assert "network.address_space" in result.error and "is not allowed" in result.error
    assert "10.10.128.0/17" in result.error and "10.10.0.0/16" in result.error
    assert "(primary" in result.error and "(dr" in result.error
    dr_only = plan(overrides, ["dr"])["dr"]
    assert dr_only.error is not None and "'10.10.128.0/17' (dr) is not allowed" in dr_only.error


def test_the_pair_refuses_overlapping_or_one_sided_networks(tmp_path: Path) -> None:
    for name in ("Pulumi.yaml", "Pulumi.primary.yaml", "Pulumi.dr.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    doc = StackDocument(tmp_path, "dr")
    doc.apply(Edit("dr", ("network", "address_space"), "10.10.64.0/18"))
    doc.write()
    with pytest.raises(PairError) as caught:
        load_pair(tmp_path)
    assert "10.10.64.0/18" in str(caught.value) and "10.10.0.0/16" in str(caught.value)
    assert "dr" in str(caught.value) and "primary" in str(caught.value)
    dr_file = tmp_path / "Pulumi.dr.yaml"
    dr_file.write_text(dr_file.read_text().split("  azure-dr:network:")[0])
    with pytest.raises(PairError, match="dr: azure-dr:network is not set but primary declares one"):
        load_pair(tmp_path)


@pytest.mark.parametrize(
    ("space", "subnets", "message"),
    [
        ("10.0.0.1/16", {}, "RegionalNetworkArgs.address_space: '10.0.0.1/16' is not allowed; expected 10.0.0.0/16"),
        ("10.0.0.0/16", {"aks": "10.1.0.0/24"}, "RegionalNetworkArgs.subnets.aks: 10.1.0.0/24 is not allowed"),
        ("10.0.0.0/16", {"dmz": "10.0.0.0/24"}, "RegionalNetworkArgs.subnets: 'dmz' is not allowed"),
    ],
)
def test_the_network_component_refuses_bad_args_in_one_line(space: str, subnets: dict[str, str], message: str) -> None:
    from azure_dr.components.network import RegionalNetworkArgs
    from azure_dr.components.rules import InvalidArgs

    with pytest.raises(InvalidArgs) as caught:
        RegionalNetworkArgs(
            virtual_network_name="vnet",
            resource_group_name="rg",
            location="uksouth",
            address_space=space,
            subnets=subnets,  # type: ignore[arg-type]
        )
    assert message in str(caught.value) and "\n" not in str(caught.value)
