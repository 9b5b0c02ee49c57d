"""Each stack declares its side of the global peering with the network its peer exports: a peering only
connects once both sides exist (Learn, "Virtual network peering": Initiated until the other side is created), so
one stack's half leaves the private endpoints of one region unreachable from the other."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from drpolicy.facts import of_type, peer_outputs
from drpolicy.framework import MANDATORY, Rule, StackRule, dig
from drpolicy.services import VIRTUAL_NETWORK, VNET_PEERING


def check(args: StackValidationArgs, _settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    peer_vnet = peer_outputs(args.resources).get("network_vnet_id")
    peerings = of_type(args.resources, VNET_PEERING)
    for vnet in of_type(args.resources, VIRTUAL_NETWORK) if peer_vnet else []:  # none yet: declared once it exists
        if not any(dig(p.props, "remoteVirtualNetwork.id") == peer_vnet for p in peerings):
            yield (f"{vnet.name}: no peering to the peer's network {peer_vnet}", vnet.urn)
    for peering in peerings:
        if peering.props.get("allowVirtualNetworkAccess") is not True:
            yield (f"{peering.name}: allowVirtualNetworkAccess is not true", peering.urn)


RULE = StackRule(
    Rule(
        id="net-peering",
        title="Each region peers its network with the peer stack's",
        service="network",
        objective="coverage",
        severity=Severity.HIGH,
        level=MANDATORY,
        needs_peer=True,
        fix="Declare azure-dr:network on both stacks with azure-dr:peer_stack naming the other; each stack's next "
        "pulumi up adds its side.",
        config=("peer_stack", "network"),
    ),
    check,
)
