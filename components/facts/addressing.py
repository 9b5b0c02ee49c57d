"""IPv4 address plans: a region's subnets carved from its address space, and the checks a pair's plans share.

One module serves the stack config (subnets inside the space, no overlap), ``drctl``'s pair validation and the
program (the two stacks' spaces must not overlap: global VNet peering refuses overlapping address spaces,
Microsoft Learn, "Virtual network peering": "The address spaces of the peered virtual networks can't overlap")
and the policy pack.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

#: The subnets a regional network has, in the order they are carved from the address space.
SUBNET_ROLES = ("aks", "private_endpoints", "postgres")

#: The smallest subnet Azure allows (/29: five addresses are reserved; Learn, "Azure Virtual Network FAQ"), and
#: a delegated PostgreSQL flexible server subnet's floor (/28; Learn, "Networking with private access (VNet
#: integration) for Azure Database for PostgreSQL").
MIN_PREFIX = {"aks": 28, "private_endpoints": 29, "postgres": 28}
#: The ranges an AKS cluster uses inside itself when the network profile names none (Azure CNI Overlay: pods
#: 10.244.0.0/16; services 10.0.0.0/16, DNS at 10.0.0.10; Microsoft Learn, "Configure Azure CNI Overlay networking
#: in Azure Kubernetes Service"): a virtual network, or a network peered with it, must not overlap them.
AKS_DEFAULT_RANGES = {"pod": "10.244.0.0/16", "service": "10.0.0.0/16"}
#: Address spaces between /8 and /24: a /24 still carves the three subnets above their floors.
SPACE_PREFIXES = (8, 24)


class AddressError(ValueError):
    """A CIDR that is not a network, or a plan that does not fit: the message says what is allowed."""


def network(cidr: str) -> ipaddress.IPv4Network:
    """``10.10.0.0/16`` as a network; refuses host bits set (``10.10.0.1/16``) with the network it meant."""
    if "/" not in cidr:
        raise AddressError("an IPv4 network in CIDR form, e.g. 10.10.0.0/16")
    try:
        return ipaddress.IPv4Network(cidr)
    except ValueError:
        try:
            meant = ipaddress.IPv4Network(cidr, strict=False)
        except ValueError:
            raise AddressError("an IPv4 network in CIDR form, e.g. 10.10.0.0/16") from None
        raise AddressError(f"{meant} (the address has host bits set)") from None


def default_subnets(space: ipaddress.IPv4Network) -> dict[str, ipaddress.IPv4Network]:
    """The default plan: the cluster's nodes get the first half, private endpoints the next quarter, a delegated
    PostgreSQL subnet the next eighth; the last eighth stays free for later subnets."""
    half = list(space.subnets(prefixlen_diff=1))
    quarters = list(half[1].subnets(prefixlen_diff=1))
    eighths = list(quarters[1].subnets(prefixlen_diff=1))
    return {"aks": half[0], "private_endpoints": quarters[0], "postgres": eighths[0]}


def subnet_plan(address_space: str, given: Mapping[str, str | None]) -> dict[str, ipaddress.IPv4Network]:
    """Each role's subnet: the one given, else the default carve-up (``default_subnets``)."""
    defaults = default_subnets(network(address_space))
    plan = dict(defaults)
    for role in SUBNET_ROLES:
        cidr = given.get(role)
        if cidr:
            plan[role] = network(cidr)
    return plan


def overlapping(pairs: Iterable[tuple[str, ipaddress.IPv4Network]]) -> tuple[str, str] | None:
    """The first two named networks that overlap, or None."""
    seen: list[tuple[str, ipaddress.IPv4Network]] = []
    for name, net in pairs:
        for other, other_net in seen:
            if net.overlaps(other_net):
                return other, name
        seen.append((name, net))
    return None


def spaces_overlap(a: str, b: str) -> bool:
    """Whether two address spaces share an address (unparsable input never counts as overlapping)."""
    try:
        return ipaddress.IPv4Network(a, strict=False).overlaps(ipaddress.IPv4Network(b, strict=False))
    except ValueError:
        return False
