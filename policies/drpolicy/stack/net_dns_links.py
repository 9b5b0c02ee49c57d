"""The pair's private DNS zones are linked to both regions' networks, so a service's private name resolves the
same way in either region, before and after a promotion. The global owner holds the zones; the peer's network
is the one it exports (``network_vnet_id``)."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from drpolicy.facts import depends_on, of_type, peer_outputs
from drpolicy.framework import MANDATORY, Rule, StackRule, dig
from drpolicy.services import PRIVATE_ZONE, VIRTUAL_NETWORK, VNET_LINK


def _links_to(link: PolicyResource, zone: PolicyResource) -> bool:
    return depends_on(link, "privateZoneName", zone) or link.props.get("privateZoneName") == zone.props.get(
        "privateZoneName"
    )


def check(args: StackValidationArgs, _settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    zones = of_type(args.resources, PRIVATE_ZONE)
    if not zones:
        return
    links = of_type(args.resources, VNET_LINK)
    own = of_type(args.resources, VIRTUAL_NETWORK)
    peer_vnet = peer_outputs(args.resources).get("network_vnet_id")
    for zone in zones:
        linked = [link for link in links if _links_to(link, zone)]
        for vnet in own:
            if not any(depends_on(link, "virtualNetwork", vnet) for link in linked):
                yield (f"{zone.name}: not linked to this region's network {vnet.name}", zone.urn)
        if peer_vnet and not any(dig(link.props, "virtualNetwork.id") == peer_vnet for link in linked):
            yield (f"{zone.name}: not linked to the peer's network {peer_vnet}", zone.urn)


RULE = StackRule(
    Rule(
        id="net-dns-links",
        title="Private DNS zones are linked to both regions' networks",
        service="network",
        objective="coverage",
        severity=Severity.HIGH,
        level=MANDATORY,
        needs_peer=True,
        fix="Give the global owner azure-dr:peer_stack (the other stack): it links every zone to the network the "
        "peer exports; run its pulumi up once the peer's network exists.",
        config=("peer_stack", "network"),
    ),
    check,
)
