"""The pair's state, read from every stack file: who is active, where each PostgreSQL generation is in its
lifecycle, and whether the pair as a whole makes sense.

Every rule here is one line naming the stacks and keys involved; ``drctl status`` and every switch command
refuse an inconsistent pair before planning anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from azure_dr.components.naming import Names
from azure_dr.components.stack.config import ConfigError, PostgresServerSettings, StackConfig, parse_config
from azure_dr.components.stack.pairnetwork import access_problem, overlap_problem

from ..stackfiles.files import StackFile, load_stack, project_name, stack_names


class PairError(ValueError):
    """An inconsistent pair or a refused switch: one line, no traceback."""


@dataclass(frozen=True)
class Member:
    """One stack of the pair: its name, file and validated config."""

    name: str
    file: StackFile
    config: StackConfig
    namespace: str

    @property
    def names(self) -> Names:
        return Names(self.config.workload, self.config.environment, self.config.region)

    @property
    def server(self) -> str:
        """The physical name of the stack's current PostgreSQL server."""
        return self.names.postgres(self.config.postgres.generation)

    def server_of(self, settings: PostgresServerSettings) -> str:
        return self.names.postgres(settings.generation)

    @property
    def peer(self) -> str | None:
        peer = self.config.peer_stack
        return peer.rsplit("/", 1)[-1] if peer else None


def config_of(stack: StackFile, namespace: str) -> StackConfig:
    prefix = f"{namespace}:"
    values = {k[len(prefix) :]: v for k, v in stack.config.items() if k.startswith(prefix)}
    try:
        return parse_config(values)
    except ConfigError as exc:
        raise PairError(f"{stack.path.name}: {exc}") from None


def member_from(stack: StackFile, namespace: str) -> Member:
    return Member(stack.name, stack, config_of(stack, namespace), namespace)


@dataclass(frozen=True)
class Pair:
    """The stacks of one project, validated together."""

    members: dict[str, Member]

    @property
    def active(self) -> Member:
        return next(m for m in self.members.values() if m.config.is_active)

    @property
    def standbys(self) -> list[Member]:
        return [m for m in self.members.values() if not m.config.is_active]

    @property
    def owner(self) -> Member:
        return next(m for m in self.members.values() if m.config.owns_global)

    def other(self, name: str) -> Member:
        others = [m for m in self.members.values() if m.name != name]
        if len(others) != 1:
            raise PairError(f"stack {name} has {len(others)} partners; the switch commands work on a pair of two")
        return others[0]

    def status(self) -> str:
        """built | promoting | promoted | building | rebuilding | rebuilt, with what to do next."""
        states = {m.name: m.config.postgres.state for m in self.members.values()}
        retired = [m.name for m in self.members.values() if m.config.postgres.retired]
        if "promoting" in states.values():
            who = next(n for n, s in states.items() if s == "promoting")
            return f"promoting ({who}'s server is promoted by its next `pulumi up`; then `drctl settle`)"
        if "new" in states.values():
            who = next(n for n, s in states.items() if s == "new")
            kind = "rebuilding" if retired else "building"
            return f"{kind} ({who}'s server is created by its next `pulumi up`; then `drctl settle`)"
        stale = [m.name for m in self.standbys if m.config.postgres.state == "primary"]
        if stale:
            return (
                f"promoted ({self.active.name} is active; {stale[0]}'s server {self.members[stale[0]].server} is "
                f"stale: `drctl rebuild {stale[0]}`)"
            )
        if retired:
            release = " or ".join(f"`drctl release {name}`" for name in retired)
            return f"rebuilt (stale generations kept on {', '.join(retired)}: {release} when safe)"
        return "built"


def load_pair(root: Path, documents: Mapping[str, StackFile] | None = None) -> Pair:
    """Every stack of the project, validated one by one and then together; PairError with one line."""
    namespace = project_name(root)
    files = dict(documents or {})
    for name in stack_names(root):
        if name not in files:
            files[name] = load_stack(root, name)
    members = {name: member_from(f, namespace) for name, f in sorted(files.items())}
    validate(members, namespace)
    return Pair(members)


def validate(members: Mapping[str, Member], namespace: str) -> None:
    """The pair rules (DESIGN §3): raise PairError on the first broken one."""
    for problem in problems(members, namespace):
        raise PairError(problem.message)


@dataclass(frozen=True)
class PairProblem:
    """One broken pair rule: the message, and where each stack involved sets what breaks it.

    ``at`` maps each stack whose file the reader should change (or at least look at) to the config key there, so
    ``drctl check`` points a result at that line; the switch commands print ``message``.
    """

    message: str
    at: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return self.message


def _at(*pairs: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(pairs)


def problems(members: Mapping[str, Member], namespace: str) -> list[PairProblem]:
    """Every broken pair rule, each with the stacks and keys that break it (one validation: the switch commands
    refuse the first, ``drctl check`` reports them all as mandatory results at their lines)."""
    out: list[PairProblem] = []
    ms = list(members.values())
    active = [m.name for m in ms if m.config.is_active]
    if len(active) > 1:
        out.append(
            PairProblem(
                f"two active stacks ({', '.join(active)}); exactly one stack has role: active (two priority-1 "
                "origins would split traffic and writes)",
                _at(*((n, "role") for n in active)),
            )
        )
    if not active and ms:
        out.append(
            PairProblem(
                f"no active stack among {', '.join(m.name for m in ms)}; exactly one has role: active",
                _at(*((m.name, "role") for m in ms)),
            )
        )
    owners = [m.name for m in ms if m.config.owns_global]
    if len(owners) != 1 and ms:
        out.append(
            PairProblem(
                f"{len(owners)} stacks own the global layer ({', '.join(owners) or 'none'}); exactly one has "
                "owns_global: true",
                _at(*((n, "owns_global") for n in (owners or [m.name for m in ms]))),
            )
        )
    regions: dict[str, str] = {}
    for m in ms:
        if m.config.region in regions:
            out.append(
                PairProblem(
                    f"{regions[m.config.region]} and {m.name} are both in {m.config.region}: a DR pair needs two "
                    "regions (their resource names would collide)",
                    _at((m.name, "region")),
                )
            )
        regions.setdefault(m.config.region, m.name)
    by_peer: dict[str, list[str]] = {}
    for m in ms:
        if not m.config.is_active and m.peer is not None:
            by_peer.setdefault(m.peer, []).append(m.name)
    for peer_name, names in by_peer.items():
        if len(names) > 1:
            out.append(
                PairProblem(
                    f"two standby stacks of one peer ({', '.join(names)} of {peer_name}); a pair has one standby",
                    _at(*((n, "peer_stack") for n in names)),
                )
            )
    for m in ms[1:]:
        first = ms[0]
        for key in ("workload", "environment"):
            if getattr(m.config, key) != getattr(first.config, key):
                out.append(
                    PairProblem(
                        f"{namespace}:{key} differs: {first.name} has {getattr(first.config, key)!r}, {m.name} "
                        f"has {getattr(m.config, key)!r}; a pair shares one",
                        _at((m.name, key)),
                    )
                )
    for m in ms:
        out.extend(_peer_problems(m, members, ms, namespace))
    return out


def _peer_problems(m: Member, members: Mapping[str, Member], ms: Sequence[Member], namespace: str) -> list[PairProblem]:
    peer_raw = m.config.peer_stack
    if peer_raw is None:
        return []
    out: list[PairProblem] = []
    parts = peer_raw.split("/")
    if len(parts) == 3 and parts[1] != namespace:
        return [
            PairProblem(
                f"{m.name}: {namespace}:peer_stack {peer_raw!r} names project {parts[1]!r}; expected a stack "
                f"of this project ({namespace})",
                _at((m.name, "peer_stack")),
            )
        ]
    peer = members.get(parts[-1])
    if peer is None:
        return [
            PairProblem(
                f"{m.name}: {namespace}:peer_stack {parts[-1]!r} is not a stack of this project; stacks: "
                f"{', '.join(members)}",
                _at((m.name, "peer_stack")),
            )
        ]
    if m.config.peer_region is not None and m.config.peer_region != peer.config.region:
        out.append(
            PairProblem(
                f"{m.name}: {namespace}:peer_region is {m.config.peer_region} but {peer.name} is in "
                f"{peer.config.region}",
                _at((m.name, "peer_region")),
            )
        )
    out.extend(_postgres_problems(m, peer, namespace))
    out.extend(_network_problems(m, peer, namespace))
    out.extend(_redis_problems(m, peer, namespace))
    if not m.config.owns_global and m.config.registry.enabled:
        owner = next((o for o in ms if o.config.owns_global), None)
        if owner is not None and not owner.config.registry.enabled:
            out.append(
                PairProblem(
                    f"{m.name}: {namespace}:registry.enabled is true but the global owner {owner.name} has "
                    "no registry to replicate; set it false on both or true on the owner",
                    _at((m.name, "registry.enabled"), (owner.name, "registry.enabled")),
                )
            )
    return out


def _redis_problems(m: Member, peer: Member, namespace: str) -> list[PairProblem]:
    mine, theirs = m.config.redis, peer.config.redis
    if mine.geo_secondary:
        if not theirs.enabled or theirs.dr_mechanism != "geo-replication":
            return [
                PairProblem(
                    f"{m.name}: {namespace}:redis.geo_secondary needs {peer.name}'s cache with "
                    "dr_mechanism: geo-replication",
                    _at((m.name, "redis.geo_secondary"), (peer.name, "redis.dr_mechanism")),
                )
            ]
        if theirs.geo_secondary:
            return [
                PairProblem(
                    f"{m.name} and {peer.name} both declare redis.geo_secondary: a link has one geo-primary",
                    _at((m.name, "redis.geo_secondary"), (peer.name, "redis.geo_secondary")),
                )
            ]
        if theirs.capacity > mine.capacity:
            return [
                PairProblem(
                    f"{m.name}: {namespace}:redis.capacity {mine.capacity} is smaller than {peer.name}'s "
                    f"{theirs.capacity}; a geo-secondary is at least the primary's size",
                    _at((m.name, "redis.capacity")),
                )
            ]
        return []
    # A standby that replicates the active one (its server is a live replica) keeps the cache's link too: both
    # caches declare geo-replication, so without the link the standby's cache protects nothing. After a forced
    # promotion the lost region's cache waits unlinked (its server is stale, state primary) for the rebuild; during a
    # planned switchover (the new active's server still ``promoting``) the link is re-created by `drctl settle`.
    replicating = m.config.postgres.state in ("replica", "new")
    if (
        not m.config.is_active
        and peer.config.is_active
        and peer.config.postgres.state != "promoting"
        and replicating
        and mine.enabled
        and theirs.enabled
        and mine.dr_mechanism == theirs.dr_mechanism == "geo-replication"
    ):
        return [
            PairProblem(
                f"{m.name}: {namespace}:redis.geo_secondary is false on the standby of {peer.name}, whose cache and "
                "this one declare geo-replication: no link would replicate the active cache (set it true, or "
                "redis.dr_mechanism: persistence on both)",
                _at((m.name, "redis.geo_secondary")),
            )
        ]
    return []


def _postgres_problems(m: Member, peer: Member, namespace: str) -> list[PairProblem]:
    pg = m.config.postgres
    out: list[PairProblem] = []
    # A replica from its creation (never promoted since): its source must be the peer's current server. A server
    # that became a replica through a switchover keeps its creation facts in replica_of, so it is not judged.
    if pg.replica_of is not None and (pg.state == "new" or (pg.state == "replica" and pg.promotion is None)):
        if pg.replica_of != peer.server:
            out.append(
                PairProblem(
                    f"{m.name}: {namespace}:postgres.replica_of {pg.replica_of!r} is not {peer.name}'s current "
                    f"server {peer.server!r}",
                    _at((m.name, "postgres.replica_of")),
                )
            )
        peer_pg = peer.config.postgres
        if peer_pg.replica_of == m.server and peer_pg.state in ("new", "replica") and peer_pg.promotion is None:
            out.append(
                PairProblem(
                    f"{m.name} and {peer.name} are replicas of each other ({m.server} <-> {peer.server}): a replica "
                    "cycle",
                    _at((m.name, "postgres.replica_of"), (peer.name, "postgres.replica_of")),
                )
            )
    return out


def _network_problems(m: Member, peer: Member, namespace: str) -> list[PairProblem]:
    """The two networks can be peered and reach the pair's servers the same way (stack.pairnetwork)."""
    mine, theirs = m.config.network, peer.config.network
    if mine is None and theirs is None:
        return []
    if mine is None or theirs is None:
        missing = m if mine is None else peer
        return [
            PairProblem(
                f"{missing.name}: {namespace}:network is not set but {peer.name if missing is m else m.name} "
                "declares one; declare it on both stacks (each region's endpoints, the peering and the DNS links "
                "need both)",
                _at((missing.name, "network")),
            )
        ]
    problem = overlap_problem(m.name, mine.address_space, peer.name, theirs.address_space) or access_problem(
        mine.postgres_access, peer.name, theirs.postgres_access
    )
    if problem is None:
        return []
    key = problem.split(":", 1)[0] if ":" in problem.split(" ", 1)[0] else "network"
    return [PairProblem(f"{m.name}: {namespace}:{problem}", _at((m.name, key)))]


def current_servers(members: Sequence[Member]) -> dict[str, str]:
    return {m.name: m.server for m in members}
