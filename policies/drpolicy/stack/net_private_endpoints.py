"""Every data service that refuses public traffic has a private endpoint in each region it serves; otherwise
nothing can reach it. A regional service (PostgreSQL, blob storage, Key Vault, Redis) serves its own region; a
shared one (the Cosmos DB account, the registry) serves both, so each stack needs its own endpoint to it: the
owner's to its resources here, the other stack's to the ids the owner exports (``shared_private_link_targets``).
A VNet-integrated PostgreSQL server lives in the network and needs none."""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from drpolicy.checks import public_access_off
from drpolicy.facts import depends_on, known, of_type, peer_outputs, region_name, stack_region, vnet_integrated
from drpolicy.framework import MANDATORY, Rule, StackRule
from drpolicy.services import COSMOS_ACCOUNT, KEY_VAULT, PG_SERVER, PRIVATE_ENDPOINT, REDIS, REGISTRY, STORAGE_ACCOUNT

PRIVATE_SERVICES = (PG_SERVER, KEY_VAULT, STORAGE_ACCOUNT, REDIS, COSMOS_ACCOUNT, REGISTRY)


def _private(resource: PolicyResource) -> bool:
    """Public access off, and not a VNet-integrated server (which lives in the network)."""
    return public_access_off(resource.resource_type, resource.props) and not vnet_integrated(resource.props)


def _targets(endpoint: PolicyResource) -> list[str]:
    connections = endpoint.props.get("privateLinkServiceConnections") or []
    return [str(c.get("privateLinkServiceId")) for c in connections if isinstance(c, Mapping)]


def _serves(endpoint: PolicyResource, resource: PolicyResource) -> bool:
    rid = known(resource.props, "id")
    return depends_on(endpoint, "privateLinkServiceConnections", resource) or (
        bool(rid) and str(rid) in _targets(endpoint)
    )


def check(args: StackValidationArgs, _settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    region = stack_region(args.resources)
    endpoints = [
        e
        for e in of_type(args.resources, PRIVATE_ENDPOINT)
        if region is None or region_name(e.props.get("location")) == region
    ]
    for resource in of_type(args.resources, *PRIVATE_SERVICES):
        if _private(resource) and not any(_serves(e, resource) for e in endpoints):
            yield (
                f"{resource.name}: public network access is disabled but no private endpoint in "
                f"{region or 'this region'} reaches it",
                resource.urn,
            )
    shared = peer_outputs(args.resources).get("shared_private_link_targets") or {}
    for group, target in sorted(shared.items()) if isinstance(shared, Mapping) else []:
        if target and not any(str(target) in _targets(e) for e in endpoints):
            yield (
                f"the peer's shared {group} service {target} has no private endpoint in {region or 'this region'}",
                None,
            )


RULE = StackRule(
    Rule(
        id="net-private-endpoints",
        title="Every private data service has a private endpoint in each region it serves",
        service="network",
        objective="coverage",
        severity=Severity.HIGH,
        level=MANDATORY,
        needs_peer=True,
        fix="Declare azure-dr:network (address_space): the program puts every service's endpoint in the region's "
        "private endpoint subnet, and this region's endpoints to the shared services the owner exports.",
        config=("network",),
        equivalents="Checkov CKV2_AZURE_57/33/32 (one service each); Azure Policy '... should use private link'",
    ),
    check,
)
