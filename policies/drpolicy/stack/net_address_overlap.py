"""The pair's address spaces do not overlap: peered networks can't share addresses (Learn, "Virtual network
peering"), and an overlap found at deployment time leaves the pair half-connected."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from drpolicy.azure_facts.addressing import spaces_overlap
from drpolicy.facts import of_type, peer_outputs
from drpolicy.framework import MANDATORY, Rule, StackRule, dig
from drpolicy.services import VIRTUAL_NETWORK, VNET_PEERING


def check(args: StackValidationArgs, _settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    peer_space = peer_outputs(args.resources).get("network_address_space")
    remote: list[tuple[str, str]] = [("the peer stack's network", str(peer_space))] if peer_space else []
    for peering in of_type(args.resources, VNET_PEERING):
        for prefix in dig(peering.props, "remoteAddressSpace.addressPrefixes") or []:
            remote.append((f"peering {peering.name}'s remote network", str(prefix)))
    for vnet in of_type(args.resources, VIRTUAL_NETWORK):
        for prefix in dig(vnet.props, "addressSpace.addressPrefixes") or []:
            for what, other in remote:
                if spaces_overlap(str(prefix), other):
                    yield (f"{vnet.name}: address space {prefix} overlaps {what} ({other})", vnet.urn)


RULE = StackRule(
    Rule(
        id="net-address-overlap",
        title="The two regions' address spaces do not overlap",
        service="network",
        objective="coverage",
        severity=Severity.HIGH,
        level=MANDATORY,
        needs_peer=True,
        fix="Give the two stacks disjoint azure-dr:network.address_space ranges (e.g. 10.10.0.0/16 and 10.20.0.0/16).",
        config=("network.address_space", "network"),
    ),
    check,
)
