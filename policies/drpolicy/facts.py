"""Facts several rules share: region spelling and zones, numeric props as the engine sends them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from drpolicy.azure_facts.recovery import MECHANISM_TAG, POSTGRES_REPLICA_TAG, SCOPE_TAG, STATEFUL_TYPES
from drpolicy.azure_facts.regions import REGIONS
from drpolicy.services import AFD_ORIGIN, RESOURCE_GROUP, STACK_REFERENCE, TM_ENDPOINT


def region_name(location: Any) -> str:
    """An Azure location as the region table spells it: ``"UK South"`` and ``"uksouth"`` both give ``uksouth``."""
    return str(location or "").replace(" ", "").lower()


def zones_expected(location: Any) -> bool:
    """Whether zone-redundant settings are possible, and therefore required, in ``location``.

    A region the table does not know (or a missing location) counts as having zones: the safe side, since most
    Azure regions do; a resource in such a region can carry an exemption tag.
    """
    region = REGIONS.get(region_name(location))
    return True if region is None else region.zones


def created_as_replica(props: Mapping[str, Any]) -> bool:
    """A PostgreSQL server created as a read replica: it inherits auth, admins and version from its source and
    can never have geo-redundant backup (create-only). Its ``sourceServerResourceId`` stays declared for life
    (promoted or not), while ``createMode`` is ``Replica`` only in the creating deployment."""
    return bool(props.get("sourceServerResourceId")) or props.get("createMode") == "Replica"


def replicating(props: Mapping[str, Any]) -> bool:
    """A PostgreSQL server that is a read replica now (created as one and not promoted, or demoted by a
    switchover): it has neither backups nor HA of its own (the program tags it)."""
    tags = props.get("tags") or {}
    return isinstance(tags, Mapping) and tags.get(POSTGRES_REPLICA_TAG) == "true"


def server_generation(server_id_or_name: Any) -> tuple[str, int]:
    """``(stem, generation)`` of a PostgreSQL server id or name: ``.../flexibleServers/psql-qlp-prod-uks-2`` ->
    ``(".../flexibleServers/psql-qlp-prod-uks", 2)``. A rebuild creates the next generation of a region's server
    (``azure_dr.components.naming``: the generation is the name's last field); a name without one is generation 1
    of itself."""
    text = str(server_id_or_name or "").rstrip("/")
    match = re.fullmatch(r"(.*)-(\d{1,2})", text)
    return (match.group(1), int(match.group(2))) if match else (text, 1)


def current_servers(servers: Sequence[PolicyResource]) -> list[PolicyResource]:
    """The servers a stack runs now: of each region's generations the newest. Earlier generations a rebuild
    replaced stay declared, unchanged, until released: they are nobody's replica and no rule resizes them."""
    newest: dict[str, PolicyResource] = {}
    for server in servers:
        stem, generation = server_generation(server.props.get("serverName") or server.name)
        kept = newest.get(stem)
        if kept is None or generation > server_generation(kept.props.get("serverName") or kept.name)[1]:
            newest[stem] = server
    return list(newest.values())


def vnet_integrated(props: Mapping[str, Any]) -> bool:
    """A PostgreSQL server that lives in a delegated subnet: it has no public endpoint and needs no private one."""
    network = props.get("network") or {}
    return bool(network.get("delegatedSubnetResourceId")) if isinstance(network, Mapping) else False


def number(value: Any, default: float) -> float:
    """A numeric prop (the engine sends numbers as floats, e.g. ``30.0``), or ``default`` when unset."""
    if value is None or isinstance(value, bool):
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


# --- stack-level facts: what a stack rule reads from the whole stack -------------------------------------


def of_type(resources: Sequence[PolicyResource], *types: str) -> list[PolicyResource]:
    return [r for r in resources if r.resource_type in types]


def stateful(resources: Sequence[PolicyResource]) -> list[PolicyResource]:
    """The resources whose loss is data loss (``drpolicy.azure_facts.recovery.STATEFUL_TYPES``)."""
    return [r for r in resources if r.resource_type in STATEFUL_TYPES]


def mechanism(resource: PolicyResource) -> str | None:
    """The DR mechanism the resource declares (tag ``azure-dr:dr-mechanism``)."""
    tags = resource.props.get("tags") or {}
    value = tags.get(MECHANISM_TAG)
    return str(value) if value else None


def peer_outputs(resources: Sequence[PolicyResource]) -> Mapping[str, Any]:
    """The peer stack's exports, as the StackReference read them ({} for a stack without a peer)."""
    for ref in of_type(resources, STACK_REFERENCE):
        outputs = ref.props.get("outputs")
        if isinstance(outputs, Mapping):
            return outputs
    return {}


def stack_region(resources: Sequence[PolicyResource]) -> str | None:
    """The stack's own region: where its regional resource group lives (not the global layer's group)."""
    groups = [g for g in of_type(resources, RESOURCE_GROUP) if (g.props.get("tags") or {}).get(SCOPE_TAG) != "global"]
    return region_name(groups[0].props.get("location")) if groups else None


def stack_role(resources: Sequence[PolicyResource]) -> str | None:
    """The stack's DR role (``active`` | ``standby``): where global routing sends traffic to this region.

    Every stack owns its region's Front Door origin or Traffic Manager endpoint (``azure_dr.components.routing``),
    priority 1 while active and 2 while standby; a resource group tagged ``dr-role`` (another program's
    convention) says it outright. None when the stack has neither.
    """
    for group in of_type(resources, RESOURCE_GROUP):
        role = (group.props.get("tags") or {}).get("dr-role")
        if role:
            return str(role)
    priorities = [number(known(r.props, "priority"), 0) for r in of_type(resources, AFD_ORIGIN, TM_ENDPOINT)]
    if not priorities:
        return None
    return "active" if 1 in priorities else "standby"


def known(props: Mapping[str, Any], key: str) -> Any:
    """``props[key]``, or None while it is unknown (a computed output during preview)."""
    try:
        return props.get(key)
    except UnknownValueError:
        return None


def depends_on(resource: PolicyResource, prop: str, target: PolicyResource) -> bool:
    """Whether ``resource``'s input ``prop`` was computed from ``target`` (e.g. a lock's scope from its id).

    The engine records these property dependencies for every input built from another resource's output, so
    the link holds whether or not ids appear among the outputs.
    """
    return any(dep.urn == target.urn for dep in resource.property_dependencies.get(prop, []))
