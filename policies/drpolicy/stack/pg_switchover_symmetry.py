"""The two servers of a replication pair are identical in tier, vCores and storage, so a planned promotion (a
switchover: drills, failback) is possible at all: Azure refuses "promote to primary server" between servers that
differ (Microsoft Learn, "Promote read replicas in Azure Database for PostgreSQL", Server Symmetry), and a forced
promotion skips the check only while a region is down. ``drctl promote --planned`` refuses the same pair.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from drpolicy.azure_facts.azure_transitions import ServerSize, switchover_asymmetry
from drpolicy.facts import number, of_type, peer_outputs, replicating
from drpolicy.framework import MANDATORY, Rule, StackRule, dig
from drpolicy.services import PG_SERVER


def _paired(props: Mapping[str, Any], peer: Mapping[str, Any]) -> bool:
    """This server and the peer's current one replicate: one was created from the other, or a switchover demoted
    this one (tagged a replica) into the replica of the peer's primary, or the peer's is this one's replica."""
    mine, theirs = str(props.get("serverName") or ""), str(peer.get("postgres_server_name") or "")
    source = str(props.get("sourceServerResourceId") or "")
    return bool(theirs) and (
        source.rsplit("/", 1)[-1] == theirs
        or (replicating(props) and peer.get("postgres_state") == "primary")
        or (peer.get("postgres_replica_of") == mine and peer.get("postgres_state") == "replica")
    )


def check(args: StackValidationArgs, _settings: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    peer = peer_outputs(args.resources)
    if not peer.get("postgres_sku_name"):
        return
    for server in of_type(args.resources, PG_SERVER):
        if not _paired(server.props, peer):
            continue
        mine = ServerSize(
            str(server.props.get("serverName")),
            str(dig(server.props, "sku.tier")),
            str(dig(server.props, "sku.name")),
            number(dig(server.props, "storage.storageSizeGB"), 0),
        )
        theirs = ServerSize(
            str(peer.get("postgres_server_name")),
            str(peer.get("postgres_sku_tier")),
            str(peer.get("postgres_sku_name")),
            number(peer.get("postgres_storage_gb"), 0),
        )
        problem = switchover_asymmetry(mine, theirs)
        if problem is not None:
            yield f"{server.name}: {problem}", server.urn


RULE = StackRule(
    Rule(
        id="pg-switchover-symmetry",
        title="The servers of a replication pair are identical (a switchover needs it)",
        service="postgresql",
        objective="rto",
        severity=Severity.HIGH,
        level=MANDATORY,
        fix=(
            "Give both stacks the same azure-dr:postgres.sku_tier, vCores (sku_name) and storage_size_gb; resize the "
            "replica first when growing, the primary first when shrinking compute."
        ),
        config=("postgres.sku_name", "postgres.sku_tier", "postgres.storage_size_gb"),
        needs_peer=True,
    ),
    check,
)
