"""The two halves of the pair's network, checked against the peer stack's exports before anything is registered.

Global VNet peering refuses overlapping address spaces (Microsoft Learn, "Virtual network peering": the address
spaces of peered networks can't overlap), so an overlap is a config error naming both stacks, not a failed
deployment halfway through.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..facts.addressing import spaces_overlap
from .config import ConfigError, StackConfig
from .contract import NETWORK_KEYS

#: The peer's exports the network reads (stack.contract): its network, and the owner's shared zones and
#: the shared services a region reaches through its own private endpoints.
PEER_NETWORK_KEYS = (
    *NETWORK_KEYS,
    "private_dns_zone_ids",
    "shared_private_link_targets",
    "shared_endpoint_dns_region",
)


def overlap_problem(stack: str, space: str, peer_stack: str, peer_space: Any) -> str | None:
    """Why this stack's address space cannot be peered with the peer's, or None."""
    if not peer_space or not spaces_overlap(space, str(peer_space)):
        return None
    return (
        f"network.address_space: {space!r} ({stack}) is not allowed; expected a range that does not overlap "
        f"{peer_space} ({peer_stack}'s network.address_space): peered networks can't share addresses"
    )


def access_problem(access: str, peer_stack: str, peer_access: Any) -> str | None:
    """Both servers of a replication pair are reached the same way (one DNS answer for the writer)."""
    if not peer_access or peer_access == access:
        return None
    return (
        f"network.postgres_access: {access!r} is not allowed; expected {peer_access!r}, as {peer_stack}'s (a read "
        "replica lives in the same kind of network as its source)"
    )


def check_pair_network(config: StackConfig, stack: str, peer: Mapping[str, Any], namespace: str) -> None:
    """Refuse, in one line, a network that cannot be peered with the peer's (``PEER_NETWORK_KEYS``)."""
    if config.network is None or config.peer_stack is None:
        return
    peer_stack = config.peer_stack.rsplit("/", 1)[-1]
    problem = overlap_problem(
        stack, config.network.address_space, peer_stack, peer.get("network_address_space")
    ) or access_problem(config.network.postgres_access, peer_stack, peer.get("network_postgres_access"))
    if problem is not None:
        raise ConfigError(f"invalid stack config: {namespace}:{problem}")
