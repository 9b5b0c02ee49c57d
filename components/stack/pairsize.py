"""Sizes of the linked halves of a pair, checked against the peer stack's exports before this half is sent.

Azure orders resizes of linked resources, so a resize is a runbook (docs/configuration.md, "Resizing a linked
pair"), never a silent edit of two stack files:

- Redis passive geo-replication: "You can't scale either cache while the caches are linked", the secondary must
  be the same size or larger, and geo-failover needs the same size (Microsoft Learn, "Configure passive
  geo-replication for Premium Azure Cache for Redis instances"). So while linked the two capacities are equal;
  a resize unlinks, scales the primary, then scales and relinks the secondary.
- PostgreSQL read replica: the replica must be at least the primary's compute (tier, vCores) and storage, so it
  is scaled up before its primary and down after it (Microsoft Learn, "Read replicas in Azure Database for
  PostgreSQL - Flexible Server", scaling and storage sections).

The standby stack reads the peer's sizes through its StackReference before it registers anything; a mismatch
fails the program with one line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .config import ConfigError, StackConfig

TIER_RANK = {"Burstable": 0, "GeneralPurpose": 1, "MemoryOptimized": 2}


def vcores(sku_name: str) -> int:
    """``Standard_D4ds_v5`` → 4 (0 for a name that is not a SKU, so a comparison never passes by accident)."""
    match = re.match(r"^Standard_[A-Z]+([0-9]+)", sku_name)
    return int(match.group(1)) if match else 0


def redis_link_problem(capacity: int, peer_capacity: Any) -> str | None:
    """Why a geo-linked secondary of ``capacity`` cannot sit beside a primary of ``peer_capacity``, or None."""
    if peer_capacity is None or int(peer_capacity) == capacity:
        return None
    return (
        f"redis.capacity: {capacity} is not allowed; expected {int(peer_capacity)}, the geo-primary's capacity "
        "(Azure can't scale a linked cache and geo-failover needs equal sizes; resize with the runbook: unlink on "
        "the standby, scale the primary, then scale and relink the standby)"
    )


def postgres_replica_problem(sku_name: str, sku_tier: str, storage_gb: int, peer: Sequence[Any]) -> str | None:
    """Why a read replica of this size cannot follow a primary of ``peer`` (name, tier, storage GB), or None."""
    peer_sku, peer_tier, peer_storage = peer
    if peer_sku is None:
        return None
    smaller = (
        TIER_RANK.get(sku_tier, -1) < TIER_RANK.get(str(peer_tier), 0)
        or vcores(sku_name) < vcores(str(peer_sku))
        or storage_gb < int(peer_storage or 0)
    )
    if not smaller:
        return None
    return (
        f"postgres.sku_name: {sku_name} ({sku_tier}, {storage_gb} GB) is not allowed; expected at least the "
        f"primary's {peer_sku} ({peer_tier}, {int(peer_storage or 0)} GB) (a read replica is scaled up before its "
        "primary and down after it)"
    )


#: The peer's exports the checks read (azure_dr.components.stack.contract).
PEER_SIZE_KEYS = ("postgres_sku_name", "postgres_sku_tier", "postgres_storage_gb", "postgres_version", "redis_capacity")


def check_pair_sizes(config: StackConfig, peer: Mapping[str, Any], namespace: str) -> None:
    """Refuse, in one line, a standby half whose linked sizes do not fit the peer's exports (``PEER_SIZE_KEYS``)."""
    problem = None
    pg = config.postgres
    if pg.create_as == "replica" and peer.get("postgres_version") not in (None, pg.version):
        # Learn, "Read replicas in Azure Database for PostgreSQL": a replica runs its source's major version.
        problem = (
            f"postgres.version: {pg.version!r} is not allowed; expected {peer['postgres_version']!r}, the source "
            "server's major version (a read replica runs its primary's version)"
        )
    elif pg.create_as == "replica":
        problem = postgres_replica_problem(
            pg.sku_name,
            pg.sku_tier,
            pg.storage_size_gb,
            (peer.get("postgres_sku_name"), peer.get("postgres_sku_tier"), peer.get("postgres_storage_gb")),
        )
    linked = config.redis.enabled and config.redis.dr_mechanism == "geo-replication" and not config.is_active
    if problem is None and linked:
        problem = redis_link_problem(config.redis.capacity, peer.get("redis_capacity"))
    if problem is not None:
        raise ConfigError(f"invalid stack config: {namespace}:{problem}")
