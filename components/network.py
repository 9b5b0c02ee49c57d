"""A region's virtual network: subnets with deny-by-default security groups, and this side of the peering.

Nothing here changes with the stack's role: a promotion, failback or rebuild leaves the network as it is (the
lifecycle tests diff it across every step). Each stack owns its side of the global peering (pulumi/examples
``azure-py-virtual-data-center``: a peering is declared once both networks exist, from the stack reference).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Network
from typing import Literal

import pulumi
from pulumi_azure_native import network

from .facts.addressing import SUBNET_ROLES, AddressError
from .facts.addressing import network as parse_network
from .rules import InvalidArgs

#: The service a delegated PostgreSQL flexible server subnet is given to (Learn, "Networking with private access
#: (VNet integration) for Azure Database for PostgreSQL").
POSTGRES_DELEGATION = "Microsoft.DBforPostgreSQL/flexibleServers"
#: The lowest-priority custom rule (Azure accepts 100-4096): everything inbound not allowed above it is denied,
#: including what Azure's default rules would let in from the virtual network.
DENY_PRIORITY = 4096
#: Allow rules take 100, 110, 120...: a priority between the first two is free in every security group this module
#: writes, and ranks above every allow but the virtual network's (a drill's deny rule goes there; priorities must
#: be unique in a group: Chaos Studio's NSG fault fails on a taken one).
FREE_PRIORITY = 105

SubnetRole = Literal["aks", "private_endpoints", "postgres"]


@dataclass(frozen=True, kw_only=True)
class InboundAllow:
    """One inbound allow rule of a subnet's security group."""

    name: str
    source: str
    """A CIDR or a service tag (``VirtualNetwork``, ``AzureLoadBalancer``, ``AzureFrontDoor.Backend``...)."""
    ports: str = "*"


@dataclass(frozen=True, kw_only=True)
class PeeringArgs:
    """This side of the peering with the peer stack's network (its id and address space, from its exports)."""

    name: str
    remote_virtual_network_id: pulumi.Input[str]
    remote_address_space: str


@dataclass(frozen=True, kw_only=True)
class RegionalNetworkArgs:
    """The network of one region.

    Secure defaults: every subnet has its own network security group that denies all inbound traffic but what
    ``inbound`` lists (outbound keeps Azure's default rules: the cluster needs its egress); private endpoints obey
    the security group (``privateEndpointNetworkPolicies: Enabled``).
    """

    virtual_network_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    address_space: str
    subnets: Mapping[SubnetRole, str]
    """Each subnet's CIDR, inside ``address_space`` (``azure_dr.components.facts.addressing.subnet_plan``)."""
    inbound: Mapping[SubnetRole, Sequence[InboundAllow]] = field(default_factory=dict)
    """Extra allow rules per subnet. Default: from the virtual network (and, for the cluster, Azure's load
    balancer probes) only."""
    peering: PeeringArgs | None = None
    """Default: none yet (declared once the peer's network exists)."""
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        space = _cidr("address_space", self.address_space)
        for role, cidr in self.subnets.items():
            if role not in SUBNET_ROLES:
                raise InvalidArgs(f"RegionalNetworkArgs.subnets: {role!r} is not allowed; expected {SUBNET_ROLES}")
            if not _cidr(f"subnets.{role}", cidr).subnet_of(space):
                raise InvalidArgs(
                    f"RegionalNetworkArgs.subnets.{role}: {cidr} is not allowed; expected a subnet of "
                    f"{self.address_space}"
                )


def _cidr(key: str, value: str) -> IPv4Network:
    try:
        return parse_network(value)
    except AddressError as exc:
        raise InvalidArgs(f"RegionalNetworkArgs.{key}: {value!r} is not allowed; expected {exc}") from None


def _baseline(role: SubnetRole) -> list[InboundAllow]:
    rules = [InboundAllow(name="allow-vnet-inbound", source="VirtualNetwork")]
    if role == "aks":  # the load balancer's health probes reach the nodes (AKS: "Use a standard load balancer")
        rules.append(InboundAllow(name="allow-lb-probes", source="AzureLoadBalancer"))
    return rules


class RegionalNetwork(pulumi.ComponentResource):
    """The virtual network, one security group per subnet, the subnets, and this side of the peering."""

    virtual_network: network.VirtualNetwork
    security_groups: dict[str, network.NetworkSecurityGroup]
    subnets: dict[str, network.Subnet]
    peering: network.VirtualNetworkPeering | None
    virtual_network_id: pulumi.Output[str]
    subnet_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: RegionalNetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:network:RegionalNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        vnet = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=args.virtual_network_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[args.address_space]),
            tags=dict(args.tags),
            # Subnets and peerings are their own resources below; the provider keeps them on a network update
            # rather than sending an empty list (see network-facts: VirtualNetwork subnets).
            opts=child,
        )
        self.virtual_network, self.security_groups, self.subnets = vnet, {}, {}
        previous: network.Subnet | None = None
        for role, cidr in args.subnets.items():
            short = role.replace("_", "-")
            nsg = network.NetworkSecurityGroup(
                f"{name}-nsg-{short}",
                network_security_group_name=f"nsg-{args.virtual_network_name}-{short}",
                resource_group_name=args.resource_group_name,
                location=args.location,
                security_rules=_rules([*_baseline(role), *args.inbound.get(role, ())]),
                tags=dict(args.tags),
                opts=child,
            )
            subnet = network.Subnet(
                f"{name}-snet-{short}",
                subnet_name=f"snet-{short}",
                virtual_network_name=vnet.name,
                resource_group_name=args.resource_group_name,
                address_prefix=cidr,
                network_security_group=network.NetworkSecurityGroupArgs(id=nsg.id),
                # Security groups apply to private endpoints only when the subnet's policies are on (Learn,
                # "Manage network policies for private endpoints").
                private_endpoint_network_policies=network.VirtualNetworkPrivateEndpointNetworkPolicies.ENABLED
                if role == "private_endpoints"
                else None,
                delegations=[network.DelegationArgs(name="postgres", service_name=POSTGRES_DELEGATION)]
                if role == "postgres"
                else None,
                # One subnet at a time: Azure refuses concurrent writes to one network ("AnotherOperationInProgress").
                opts=pulumi.ResourceOptions(parent=self, depends_on=[previous] if previous is not None else None),
            )
            self.security_groups[role], self.subnets[role] = nsg, subnet
            previous = subnet
        self.peering = None
        if args.peering is not None:
            p = args.peering
            self.peering = network.VirtualNetworkPeering(
                f"{name}-peering",
                virtual_network_peering_name=p.name,
                virtual_network_name=vnet.name,
                resource_group_name=args.resource_group_name,
                remote_virtual_network=network.SubResourceArgs(id=p.remote_virtual_network_id),
                remote_address_space=network.AddressSpaceArgs(address_prefixes=[p.remote_address_space]),
                allow_virtual_network_access=True,
                allow_forwarded_traffic=False,
                allow_gateway_transit=False,
                use_remote_gateways=False,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[previous] if previous is not None else None),
            )
        self.virtual_network_id = vnet.id
        self.subnet_ids = {role: subnet.id for role, subnet in self.subnets.items()}
        self.register_outputs(
            {
                "virtual_network_id": self.virtual_network_id,
                "subnet_ids": self.subnet_ids,
                "peering_id": self.peering.id if self.peering is not None else None,
            }
        )


def _rules(allows: Sequence[InboundAllow]) -> list[network.SecurityRuleArgs]:
    """The allow rules in priority order from 100, then the explicit deny of everything else inbound."""
    deny_all = InboundAllow(name="deny-all-inbound", source="*")
    return [
        *(_inbound(a, 100 + 10 * index, network.SecurityRuleAccess.ALLOW) for index, a in enumerate(allows)),
        _inbound(deny_all, DENY_PRIORITY, network.SecurityRuleAccess.DENY),
    ]


def _inbound(rule: InboundAllow, priority: int, access: network.SecurityRuleAccess) -> network.SecurityRuleArgs:
    return network.SecurityRuleArgs(
        name=rule.name,
        priority=priority,
        direction=network.SecurityRuleDirection.INBOUND,
        access=access,
        protocol=network.SecurityRuleProtocol.ASTERISK,
        source_address_prefix=rule.source,
        source_port_range="*",
        destination_address_prefix="*",
        destination_port_range=rule.ports,
    )
