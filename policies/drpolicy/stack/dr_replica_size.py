"""A DR replica is at least the primary's size, so it can carry the load after promotion.

PostgreSQL: tier, vCores and storage against the peer's exported SKU (a replica is scaled up before its primary
and down after it). Judged on the server a standby stack runs now, whatever ``createMode`` it sends: ``Replica``
only in the creating deployment, ``Update`` once settled (the state a pair spends its life in). A stack whose role
is not tagged is judged by how its servers were created.

Redis: a geo-secondary's capacity equals the peer's: Azure requires equal or larger, equal for geo-failover,
and refuses to scale either cache while linked (Microsoft Learn, "Configure passive geo-replication for Premium
Azure Cache for Redis instances"), so a difference means a resize that skipped the unlink-scale-relink runbook.
"""

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from drpolicy.facts import created_as_replica, current_servers, number, of_type, peer_outputs, stack_role
from drpolicy.framework import MANDATORY, Rule, StackRule, dig
from drpolicy.services import PG_SERVER, REDIS, REDIS_LINK

TIER_RANK = {"Burstable": 0, "GeneralPurpose": 1, "MemoryOptimized": 2}


def vcores(sku_name: Any) -> int:
    """``Standard_D4ds_v5`` → 4; an unparseable name counts as 0 so a comparison never passes by accident."""
    match = re.match(r"^Standard_[A-Z]+(\d+)", str(sku_name or ""))
    return int(match.group(1)) if match else 0


def check(args: StackValidationArgs, _settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    peer = peer_outputs(args.resources)
    if not peer:
        return
    role = stack_role(args.resources)
    servers = current_servers(of_type(args.resources, PG_SERVER))
    replicas = [s for s in servers if role == "standby" or (role is None and created_as_replica(s.props))]
    for server in replicas if peer.get("postgres_sku_name") and peer.get("role") != "standby" else []:
        mine, theirs = dig(server.props, "sku.name"), peer["postgres_sku_name"]
        tier, primary_tier = str(dig(server.props, "sku.tier")), str(peer.get("postgres_sku_tier"))
        if TIER_RANK.get(tier, -1) < TIER_RANK.get(primary_tier, 0):
            yield f"{server.name}: tier {tier} is below the primary's {primary_tier}", server.urn
        if vcores(mine) < vcores(theirs):
            yield f"{server.name}: {mine} is smaller than the primary's {theirs}", server.urn
        size = number(dig(server.props, "storage.storageSizeGB"), 0)
        primary_size = number(peer.get("postgres_storage_gb"), 0)
        if size < primary_size:
            yield f"{server.name}: {size:g} GB storage is below the primary's {primary_size:g} GB", server.urn
    if of_type(args.resources, REDIS_LINK) and peer.get("redis_capacity") is not None:
        for cache in of_type(args.resources, REDIS):
            capacity, primary_capacity = number(dig(cache.props, "sku.capacity"), 0), number(peer["redis_capacity"], 0)
            if capacity < primary_capacity:
                yield f"{cache.name}: capacity {capacity:g} is below the primary's {primary_capacity:g}", cache.urn
            elif capacity != primary_capacity:
                yield (
                    f"{cache.name}: capacity {capacity:g} differs from the primary's {primary_capacity:g}; a linked "
                    "cache can't be scaled (unlink, scale the primary, then scale and relink the secondary)",
                    cache.urn,
                )


RULE = StackRule(
    Rule(
        id="dr-replica-size",
        title="DR replicas are at least the primary's size",
        service="all",
        objective="rto",
        severity=Severity.HIGH,
        level=MANDATORY,
        needs_peer=True,
        fix=(
            "Size the replica at least like the primary: azure-dr:postgres.sku_tier, sku_name and storage_size_gb; "
            "azure-dr:redis.capacity."
        ),
        config=("postgres.sku_name", "postgres.sku_tier", "postgres.storage_size_gb", "redis.capacity"),
    ),
    check,
)
