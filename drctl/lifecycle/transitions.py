"""The switch commands' logic: which keys of which stack files change, and the runbook that applies them.

Each transition (DESIGN §3) is a set of edits to ``Pulumi.<stack>.yaml`` plus ordered steps: the ``pulumi up`` of
each stack in the order that keeps every intermediate pair valid (never two active stacks, never two priority-1
origins), and the Azure actions that have no resource (Cosmos write region, Redis unlink, storage failover), each
with what it changes, how to verify it and how long it takes. ``lifecycle.simulate`` replays the steps offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..stackfiles.edit import DELETE, Edit, plain
from .pair import Member, Pair, PairError

StepKind = Literal["up", "az", "state", "drctl"]
EffectKind = Literal["cosmos-write-region", "forget", "storage-failover"]

LINKED_SERVER = "azure-native:redis:LinkedServer"
ORIGIN_TYPES = ("azure-native:cdn:AFDOrigin", "azure-native:trafficmanager:Endpoint")
COSMOS_ACCOUNT = "azure-native:cosmosdb:DatabaseAccount"
STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
PG_SERVER = "azure-native:dbforpostgresql:Server"
PG_GENERATION = "postgres-generation"  # an Effect target: every resource of one server generation
NAMED = "named"  # an Effect target: every resource whose logical name contains the effect's value


@dataclass(frozen=True)
class Effect:
    """What a refresh reads back after an imperative step (the offline model of Azure's side of the step)."""

    stack: str
    kind: EffectKind
    type: str
    value: str = ""


@dataclass(frozen=True)
class Step:
    kind: StepKind
    stack: str | None
    command: str
    what: str
    verify: str
    minutes: int
    effects: tuple[Effect, ...] = ()
    lifts: tuple[str, ...] = ()
    """Resource names whose CanNotDelete lock this step lifts and restores around its action."""
    targets: tuple[str, ...] = ()
    """A targeted ``pulumi up`` (``--target``): only resources of these types are written; the rest of the stack
    waits for its region (the full up runs at the rebuild)."""
    optional: bool = False


@dataclass(frozen=True)
class Transition:
    """A config switch: the edits written to the stack files and the runbook that applies them."""

    name: str
    edits: tuple[Edit, ...]
    steps: tuple[Step, ...]
    failed_region: str | None = None
    """A forced promotion: the region no step may write to."""
    rto_minutes: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.steps if not s.optional)


def verify_up(stack: str) -> str:
    """How to verify an up: against Azure itself (``pulumi preview --expect-no-changes`` fails on any change). Not
    ``drctl diff`` of the files, which compares the files with their own plan and so always agrees."""
    return f"`pulumi preview --stack {stack} --expect-no-changes` passes"


def _ups(stacks: Sequence[Member], what: dict[str, str], minutes: int = 5) -> list[Step]:
    return [Step("up", m.name, f"pulumi up --stack {m.name}", what[m.name], verify_up(m.name), minutes) for m in stacks]


def _cosmos_steps(pair: Pair, new_active: Member, forced: bool) -> list[Step]:
    owner = pair.owner
    cfg = owner.config
    if not cfg.cosmos.enabled:
        return []
    names = owner.names
    other = pair.other(new_active.name).config.region
    group = names.global_resource_group
    effect = Effect(owner.name, "cosmos-write-region", COSMOS_ACCOUNT, new_active.config.region)
    if forced:
        # Learn, "Reliability in Azure Cosmos DB for NoSQL": with service-managed failover the write region
        # moves to the next priority during a regional outage, without any action.
        action = Step(
            "az",
            None,
            f"az cosmosdb show --name {names.cosmos_account} --resource-group {group} --query writeLocations",
            f"Cosmos DB: the service-managed failover has made {new_active.config.region} the write region",
            f"writeLocations[0].locationName is {new_active.config.region}",
            0,
            (effect,),
        )
    else:
        action = Step(
            "az",
            None,
            f"az cosmosdb failover-priority-change --name {names.cosmos_account} --resource-group {group} "
            f"--failover-policies {new_active.config.region}=0 {other}=1",
            f"Cosmos DB: move the write region to {new_active.config.region} (a planned failover, no data loss)",
            "az cosmosdb show --query writeLocations",
            5,
            (effect,),
        )
    refresh = Step(
        "state",
        owner.name,
        f"pulumi refresh --stack {owner.name} --target '<urn of {names.cosmos_account}>' --yes",
        "read the new failover priorities back into the owner's state (the next up sends no priority change)",
        "the refresh shows locations updated",
        1,
    )
    return [action, refresh]


def _unlink_step(link_owner: Member, geo_primary: Member, secondary: Member, from_side: Member) -> Step:
    """Remove a Redis geo-replication link from ``from_side``'s cache, lifting that cache's inherited lock."""
    here = from_side.names.redis
    there = (geo_primary if from_side is secondary else secondary).names.redis
    group = from_side.names.resource_group
    lock = f"{from_side.name}-redis-lock"
    return Step(
        "az",
        from_side.name,
        f"az lock delete --name <{lock}> --resource-group {group} --resource-type Microsoft.Cache/redis "
        f"--resource {here} && az redis server-link delete --name {here} --resource-group {group} "
        f"--linked-server-name {there} && az lock create (same name, CanNotDelete) && pulumi state delete "
        f"--stack {link_owner.name} '<urn of the {link_owner.name} LinkedServer>' --yes",
        f"Redis: unlink {geo_primary.names.redis} -> {secondary.names.redis} from {from_side.name}'s side (the "
        f"cache lock is inherited by the link, so it is lifted and restored); both caches become writable",
        f"az redis server-link list --name {here} --resource-group {group} is empty",
        5,
        (Effect(link_owner.name, "forget", LINKED_SERVER),),
        lifts=(here,),
    )


def promote(pair: Pair, mode: Literal["forced", "planned"], name: str = "promote") -> Transition:
    """The standby becomes active: forced (the active region is lost) or planned (both regions up)."""
    _settled(pair, name)
    if len(pair.standbys) != 1:
        raise PairError(f"{name}: needs exactly one standby stack, found {len(pair.standbys)}")
    old, new = pair.active, pair.standbys[0]
    pg_new, pg_old = new.config.postgres, old.config.postgres
    if pg_new.state != "replica":
        raise PairError(
            f"{name}: {new.name}'s server {new.server} is not a live replica (postgres.state: {pg_new.state}); "
            f"rebuild it first (`drctl rebuild {new.name}`)"
        )
    pair_endpoint = (pg_new.replica_of == old.server and pg_new.writer_endpoint) or (
        pg_old.replica_of == new.server and pg_old.writer_endpoint
    )
    if mode == "planned" and not pair_endpoint:
        raise PairError(
            f"{name}: a planned promotion is a switchover, which needs the pair's virtual endpoint; "
            f"{new.server} and {old.server} have none (use --forced)"
        )
    edits: list[Edit] = [
        Edit(old.name, ("role",), "standby"),
        Edit(new.name, ("role",), "active"),
        Edit(new.name, ("postgres", "state"), "promoting"),
        Edit(new.name, ("postgres", "promotion"), mode),
    ]
    if old.peer != new.name:
        edits.append(Edit(old.name, ("peer_stack",), new.name))
        edits.append(Edit(old.name, ("peer_region",), new.config.region))
    backup = old.config.backup
    if backup.enabled and old.server not in backup.retained_instances:
        # The demoted server's long-term backup instance stays declared, unchanged (its recovery points are kept,
        # and a forced promotion writes nothing into the failed region) until `drctl release`.
        edits.append(Edit(old.name, ("backup", "retained_instances"), [*backup.retained_instances, old.server]))
    if mode == "forced":
        # Standalone ends the replication pair: its virtual endpoint no longer follows (Learn, virtual endpoints).
        if pg_new.replica_of == old.server and pg_new.writer_endpoint:
            edits.append(Edit(new.name, ("postgres", "writer_endpoint"), False))
        if pg_old.replica_of == new.server and pg_old.writer_endpoint:
            edits.append(Edit(old.name, ("postgres", "writer_endpoint"), False))
    steps: list[Step] = _cosmos_steps(pair, new, mode == "forced")
    routing = "Traffic Manager endpoint" if new.config.routing.kind == "trafficmanager" else "Front Door origin"
    demote = f"{old.name} becomes standby: its {routing} drops to priority 2"
    if mode == "forced":
        # The failed region takes no write: only the origin (in the global layer's group) is updated; the rest
        # of the stack (e.g. its workloads scaling to warm) waits for the region and the rebuild.
        steps.append(
            Step(
                "up",
                old.name,
                f"pulumi up --stack {old.name} --target '<urn of the {old.name} origin>'",
                demote + " (a targeted up: the only write, in the global layer's group)",
                f"the {old.name} origin's priority is 2 (az afd origin show)",
                5,
                targets=ORIGIN_TYPES,
            )
        )
    else:
        steps += _ups([old], {old.name: demote})
    if new.config.redis.geo_secondary:
        # Unlinked before the new active takes traffic: its cache must be writable. The reverse link (the old
        # active's cache as geo-secondary) is written by `drctl settle` once both ups are done.
        edits.append(Edit(new.name, ("redis", "geo_secondary"), False))
        steps.append(_unlink_step(new, old, new, new))
    promote_what = (
        f"{new.name} becomes active: {new.server} is promoted "
        + (
            "Standalone/Forced (no wait for the lost primary; the replication lag is the data loss)"
            if mode == "forced"
            else "by Switchover/Planned (waits for zero lag; the roles swap)"
        )
        + f"; its {routing} takes priority 1"
    )
    steps += _ups([new], {new.name: promote_what}, 15)
    if mode == "forced":
        account = old.names.storage_account
        steps.append(
            Step(
                "az",
                old.name,
                f"az storage account failover --name {account} --yes",
                f"only if the application needs {old.name}'s blob data writable now: customer-managed account "
                f"failover to the secondary region; the account becomes LRS (restore geo-redundancy with `az "
                f"storage account update --sku Standard_RAGRS` once it is done; the next plan shows the drift)",
                "az storage account show --query '{primary: primaryLocation, sku: sku.name}'",
                60,
                (Effect(old.name, "storage-failover", STORAGE_ACCOUNT, new.config.region),),
                optional=True,
            )
        )
    steps.append(_settle_step())
    notes = (
        (
            f"{new.server} was created as a replica, so it has no geo-redundant backup (create-only, chosen at "
            f"creation): after promotion its region-loss protection is the replica `drctl rebuild {old.name}` creates; "
            "geo-backup returns only with a generation created as a primary (a point-in-time restore), a planned "
            "migration this tool does not automate",
        )
        if pg_new.create_as == "replica" and mode == "forced"
        else ()
    )
    rto = new.config.objective("postgresql").rto_minutes
    title = name if name != "promote" else f"{name} --{mode}"  # the command as the operator types it
    return Transition(title, tuple(edits), tuple(steps), old.config.region if mode == "forced" else None, rto, notes)


def _block(member: Member, key: str) -> dict[str, Any]:
    """One config block of a stack file as written, so a copy keeps the user's keys and its secrets stay
    ``secure:`` ciphertext (the offline config holds placeholders, which must never be written back)."""
    value = member.file.written.get(f"{member.namespace}:{key}")
    return plain(value) if isinstance(value, dict) else {}


def _settle_step() -> Step:
    return Step(
        "drctl",
        None,
        "drctl settle",
        "record the finished step in the stack files (then its pulumi up)",
        "drctl status",
        1,
    )


def failback(pair: Pair) -> Transition:
    """A planned promotion back to the stack that owns the global layer (the pair's home), after a promotion
    moved production away from it."""
    _settled(pair, "failback")
    home, active = pair.owner, pair.active
    if home is active:
        raise PairError(
            f"failback: the pair has not failed over: {home.name} (which owns the global layer) is active; failback "
            f"returns production to it after a promotion (to move production to the standby: `drctl promote "
            f"--planned`)"
        )
    if pair.status() not in ("built",) and not pair.status().startswith("rebuilt"):
        raise PairError(f"failback: the pair is {pair.status()}; failback needs a built or rebuilt pair")
    return promote(pair, "planned", "failback")


def rebuild(pair: Pair, stack: str) -> Transition:
    """A lost region comes back as a standby of the active one: a new server generation, the stale one kept."""
    if stack not in pair.members:
        raise PairError(f"rebuild: no stack {stack!r}; stacks: {', '.join(pair.members)}")
    _settled(pair, "rebuild")
    target = pair.members[stack]
    if target.config.is_active:
        raise PairError(f"rebuild: {stack} is the active stack; rebuild the lost standby (promote first)")
    active = pair.other(stack)
    pg = target.config.postgres
    if pg.state == "replica":
        raise PairError(
            f"rebuild: {stack}'s server {target.server} is a live replica (postgres.state: replica): it already "
            f"replicates {active.server}, and a rebuild would retire it; rebuild a region whose server a forced "
            "promotion left behind"
        )
    written = _block(target, "postgres")  # the block as the file writes it: keys and order kept
    old_block = {k: v for k, v in written.items() if k != "retired"}
    generation = max([pg.generation, *(r.generation for r in pg.retired)]) + 1
    block = {
        k: v
        for k, v in old_block.items()
        if k
        not in (
            "state",
            "promotion",
            "writer_endpoint",
            "replica_of",
            "create_as",
            "generation",
            "geo_redundant_backup",
            "high_availability",
        )
    }
    block = {"create_as": "replica", "replica_of": active.server, "state": "new", "generation": generation, **block}
    block["retired"] = [*written.get("retired", []), {"generation": pg.generation, **old_block}]
    edits = [Edit(stack, ("postgres",), block)]
    if target.peer != active.name:
        edits += [Edit(stack, ("peer_stack",), active.name), Edit(stack, ("peer_region",), active.config.region)]
    if active.config.redis.dr_mechanism == "geo-replication" and target.config.redis.dr_mechanism == "geo-replication":
        edits.append(Edit(stack, ("redis", "geo_secondary"), True))
    new_server = target.names.postgres(generation)
    steps = _ups(
        [target],
        {
            stack: f"create {new_server} as a replica of {active.server}, its virtual endpoint on "
            f"{active.server}, and the Redis link; {target.server} stays declared, protected"
        },
        45,
    )
    steps.append(_settle_step())
    return Transition(f"rebuild {stack}", tuple(edits), tuple(steps))


def release(pair: Pair, stack: str) -> Transition:
    """Let Pulumi forget the retired generations of ``stack`` (nothing is deleted in Azure)."""
    if stack not in pair.members:
        raise PairError(f"release: no stack {stack!r}; stacks: {', '.join(pair.members)}")
    _settled(pair, "release")
    target = pair.members[stack]
    if not target.config.is_active and target.config.postgres.state == "primary":
        raise PairError(
            f"release: {stack}'s region is still lost: its server {target.server} was left behind by a forced "
            f"promotion and {stack} is not rebuilt, so its `pulumi up` would deploy into the failed region; rebuild it "
            f"first: `drctl rebuild {stack}`"
        )
    retired = target.config.postgres.retired
    kept = [n for n in target.config.backup.retained_instances if not (target.config.is_active and n == target.server)]
    active = pair.active
    if kept and not (active.config.backup.enabled and active.config.postgres.state == "primary"):
        why = "backup.enabled is false" if not active.config.backup.enabled else "its server is not settled yet"
        raise PairError(
            f"release: the backup instances {stack} retains ({', '.join(kept)}) hold the only long-term backups: "
            f"{active.name}'s vault does not protect its server {active.server} ({why}); protect it first (set "
            f"{active.name}'s backup.enabled: true, run its `pulumi up`, `drctl settle`)"
        )
    if not retired and not kept:
        raise PairError(
            f"release: {stack} has no retired server generation (postgres.retired is empty) and no retained backup "
            "instance (backup.retained_instances is empty)"
        )
    names = [target.names.postgres(r.generation) for r in retired]
    steps = [
        Step(
            "state",
            stack,
            f"pulumi state unprotect --stack {stack} '<urn>' && pulumi state delete --stack {stack} "
            f"--target-dependents '<urn>' --yes   # for the server of each retired generation: {', '.join(names)}",
            "Pulumi forgets the stale servers and their lock, admin, diagnostics, endpoint; Azure keeps them",
            f"`pulumi stack --stack {stack}` lists no stale server",
            2,
            tuple(Effect(stack, "forget", PG_GENERATION, str(r.generation)) for r in retired),
        ),
    ]
    if kept:
        steps.append(
            Step(
                "state",
                stack,
                f"pulumi state unprotect --stack {stack} '<urn>' && pulumi state delete --stack {stack} "
                f"--target-dependents '<urn>' --yes   # for the backup instance of each of: {', '.join(kept)}",
                "Pulumi forgets the retained long-term backup instances; Azure keeps them and their recovery points "
                "until the policy's retention ends",
                "az dataprotection backup-instance list shows them, unmanaged",
                2,
                tuple(Effect(stack, "forget", NAMED, f"-{server}") for server in kept),
            )
        )
    if not retired:
        steps = steps[1:]
    steps += _ups([target], {stack: "no change: the released generations and instances are no longer declared"}, 1)
    notes = (
        f"delete the stale servers yourself when you no longer need them: az postgres flexible-server delete "
        f"--name NAME --resource-group {target.names.resource_group} (after removing its lock)",
    )
    edits = [Edit(stack, ("postgres", "retired"), DELETE)] if retired else []
    if kept:
        remaining = [n for n in target.config.backup.retained_instances if n not in kept]
        if remaining:
            edits.append(Edit(stack, ("backup", "retained_instances"), remaining))
        elif set(_block(target, "backup")) == {"retained_instances"}:  # the block promote added: gone again
            edits.append(Edit(stack, ("backup",), DELETE))
        else:
            edits.append(Edit(stack, ("backup", "retained_instances"), DELETE))
    return Transition(f"release {stack}", tuple(edits), tuple(steps), notes=notes)


def settle(pair: Pair) -> Transition:
    """Record that the last step's ``pulumi up`` finished: new servers exist, a promotion is done."""
    edits: list[Edit] = []
    changed: list[Member] = []
    for m in pair.members.values():
        pg = m.config.postgres
        if pg.state == "new":
            edits.append(Edit(m.name, ("postgres", "state"), "primary" if pg.create_as == "primary" else "replica"))
            changed.append(m)
        elif pg.state == "promoting":
            edits.append(Edit(m.name, ("postgres", "state"), "primary"))
            changed.append(m)
            if pg.promotion == "planned":
                peer = pair.other(m.name)
                if peer.config.postgres.state == "primary":  # the switchover made it the replica
                    edits.append(Edit(peer.name, ("postgres", "state"), "replica"))
                    changed.append(peer)
                redis = (m.config.redis, peer.config.redis)
                if all(r.enabled and r.dr_mechanism == "geo-replication" for r in redis) and not redis[1].geo_secondary:
                    # Both regions are up after a planned promotion: the old active's cache follows as
                    # geo-secondary (linking flushes it; it is a cache).
                    edits.append(Edit(peer.name, ("redis", "geo_secondary"), True))
                    if peer not in changed:
                        changed.append(peer)
    if not edits:
        raise PairError("settle: nothing to settle (no server is new or promoting)")
    what = {
        m.name: "the settled state: createMode Update, no promote fields (a later PUT never re-sends them)"
        for m in changed
    }
    return Transition("settle", tuple(edits), tuple(_ups(changed, what, 2)))


def _settled(pair: Pair, name: str) -> None:
    states = {m.name: m.config.postgres.state for m in pair.members.values()}
    busy = [f"{n} ({s})" for n, s in states.items() if s in ("new", "promoting")]
    if busy:
        raise PairError(f"{name}: {', '.join(busy)} must settle first: run its pulumi up, then `drctl settle`")


def describe(transition: Transition) -> dict[str, Any]:
    return {
        "name": transition.name,
        "edits": [e.describe() for e in transition.edits],
        "steps": [s.__dict__ | {"effects": [e.__dict__ for e in s.effects]} for s in transition.steps],
        "minutes": transition.minutes,
        "rto_minutes": transition.rto_minutes,
    }
