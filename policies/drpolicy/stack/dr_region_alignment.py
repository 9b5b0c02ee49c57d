"""All services agree on one DR region, and it is the Azure pair where a service replicates to the pair.

GRS/GZRS storage always replicates to the region's fixed pair; if the DR region the other services use is not
that pair, a regional outage leaves the storage copy somewhere the rest of the plan is not.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from drpolicy.azure_facts.recovery import GEO_REDUNDANT_STORAGE_SKUS, SCOPE_TAG
from drpolicy.azure_facts.regions import pair_of
from drpolicy.facts import of_type, peer_outputs, region_name, stack_region
from drpolicy.framework import MANDATORY, Rule, StackRule, dig
from drpolicy.services import COSMOS_ACCOUNT, REGISTRY, REGISTRY_REPLICATION, RESOURCE_GROUP, STORAGE_ACCOUNT


def dr_regions(args: StackValidationArgs, own: str) -> dict[str, str]:
    """Each other region the stack's DR relies on, with what points there."""
    found: dict[str, str] = {}
    peer = peer_outputs(args.resources).get("region")
    if peer:
        found.setdefault(region_name(peer), "the peer stack")
    for account in of_type(args.resources, COSMOS_ACCOUNT):
        for location in account.props.get("locations") or []:
            region = region_name(location.get("locationName"))
            if region != own:
                found.setdefault(region, f"Cosmos account {account.name}")
    for item in of_type(args.resources, REGISTRY, REGISTRY_REPLICATION):
        region = region_name(item.props.get("location"))
        if region and region != own:
            found.setdefault(region, f"registry {item.name}")
    return found


def check(args: StackValidationArgs, _settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    own = stack_region(args.resources)
    if own is None:
        groups = of_type(args.resources, RESOURCE_GROUP)
        if groups:  # a tag must not silence the rule: no regional group is itself a finding
            yield (
                f"none of the stack's resource groups ({', '.join(g.name for g in groups)}) is regional (each is "
                f"tagged {SCOPE_TAG}=global): the stack's own region cannot be told, so its DR region cannot be judged",
                None,
            )
        return
    regions = dr_regions(args, own)
    if len(regions) > 1:
        listing = ", ".join(f"{r} ({why})" for r, why in sorted(regions.items()))
        yield f"services disagree on the DR region: {listing}", None
        return
    if not regions:
        return
    dr_region = next(iter(regions))
    pair = pair_of(own)
    for account in of_type(args.resources, STORAGE_ACCOUNT):
        if dig(account.props, "sku.name") in GEO_REDUNDANT_STORAGE_SKUS and pair != dr_region:
            yield (
                f"{account.name}: {dig(account.props, 'sku.name')} replicates to {own}'s pair ({pair}), but the DR "
                f"region is {dr_region}; use object replication or choose the pair",
                account.urn,
            )


RULE = StackRule(
    Rule(
        id="dr-region-alignment",
        title="All services agree on one DR region, the Azure pair where storage replicates to the pair",
        service="all",
        objective="coverage",
        severity=Severity.HIGH,
        level=MANDATORY,
        needs_peer=True,
        fix=(
            "Use one DR region for every service: azure-dr:peer_region must be this region's Azure pair where storage "
            "replicates to the pair."
        ),
        config=("peer_region", "region"),
    ),
    check,
)
