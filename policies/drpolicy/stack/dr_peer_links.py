"""The standby side of each cross-stack mechanism exists and points at what the peer exports.

A primary's tag can only declare a replica or a geo-secondary; the stack that holds the other half proves it:
its PostgreSQL replica replicates the peer's exported server, and its Redis link pairs the peer's cache with
this stack's cache.

A replica is judged whatever ``createMode`` it sends (``Replica`` only when created, ``Update`` once settled): its
declared source must be a generation of the peer's server (the same server name but for the generation, in the
peer's resource group). A replica made by a switchover still declares the server it was created from (a
create-only input), an earlier generation of the peer's; which generation it should follow is the pair's
state, judged by ``drctl check`` from both stack files.
"""

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from drpolicy.azure_facts.recovery import GEO_SECONDARY_TAG
from drpolicy.facts import current_servers, depends_on, known, mechanism, of_type, peer_outputs, server_generation
from drpolicy.framework import MANDATORY, Rule, StackRule
from drpolicy.services import PG_SERVER, REDIS, REDIS_LINK


def linked_primary(link: PolicyResource) -> str | None:
    """The primary cache a link replicates from.

    The link's ``name`` input is the primary cache, but once deployed its ``name`` output is the link's own
    name; the primary's host name (an output) or the link's id say it reliably, the input name until then.
    """
    host = known(link.props, "primaryHostName")
    if host:
        return str(host).split(".", 1)[0]
    match = re.search(r"/redis/([^/]+)/linkedServers/", str(known(link.props, "id") or ""))
    return match.group(1) if match else known(link.props, "name")


def check(args: StackValidationArgs, _settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    peer = peer_outputs(args.resources)
    if not peer:
        return  # no peer: this stack holds no standby half
    exported = peer.get("postgres_server_id")
    for server in current_servers(of_type(args.resources, PG_SERVER)) if peer.get("role") == "active" else []:
        source = known(server.props, "sourceServerResourceId")
        if server.props.get("createMode") == "Replica" and not source:
            yield f"{server.name}: created as a replica of nothing (no sourceServerResourceId)", server.urn
        elif source and (not exported or server_generation(source)[0] != server_generation(exported)[0]):
            yield (
                f"{server.name}: replicates {source}, which is not a generation of the peer's server "
                f"{exported or '(none exported)'}",
                server.urn,
            )
    if peer.get("role") == "active":
        links = of_type(args.resources, REDIS_LINK)
        for cache in of_type(args.resources, REDIS):
            tags = cache.props.get("tags") or {}
            if mechanism(cache) != "redis-geo-replication" or tags.get(GEO_SECONDARY_TAG) != "true":
                continue  # a geo-primary, or a cache a forced promotion unlinked (the rebuild links it again)
            if not any(
                depends_on(link, "linkedRedisCacheId", cache) and linked_primary(link) == peer.get("redis_cache_name")
                for link in links
            ):
                yield (
                    f"{cache.name}: geo-replication declared but no link from the peer's cache "
                    f"{peer.get('redis_cache_name') or '(none exported)'} to this cache",
                    cache.urn,
                )


RULE = StackRule(
    Rule(
        id="dr-peer-links",
        title="The standby half of every cross-stack mechanism points at the peer's resources",
        service="all",
        objective="coverage",
        severity=Severity.HIGH,
        level=MANDATORY,
        needs_peer=True,
        fix=(
            "Point the standby half at the peer's exports: azure-dr:peer_stack names the stack whose server and cache "
            "it replicates; plan or deploy that stack first."
        ),
        config=("peer_stack",),
    ),
    check,
)
