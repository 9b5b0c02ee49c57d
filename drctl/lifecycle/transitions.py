"""The switch commands' logic: which keys of which stack files change, and the runbook that applies them.

Each transition (DESIGN §3) is a set of edits to ``Pulumi.<stack>.yaml`` plus ordered steps: the Azure actions
Azure documents as actions (a PostgreSQL promotion, a Cosmos priority change, a Redis unlink, HA, backup
protection, a storage failover), each performed the documented way (``az``), and then the ``pulumi up`` of each
stack that declares the result, in the order that keeps every intermediate pair valid: never two active stacks,
never two origins sharing the best priority, never traffic sent to a region before its data is writable. Every
step is a list of commands (exact argv) with what it changes, how to verify it and how long it takes; URNs and
lock names are resolved from the stacks' state by ``lifecycle.simulate``, which replays the steps offline against
the sourced model of what Azure itself does (``azure_dr.components.facts.azure_transitions``).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from azure_dr.components.facts import azure_transitions as azure
from azure_dr.components.facts.regions import has_zones
from azure_dr.components.postgres import PROMOTE_MODES
from azure_dr.components.stack.config import PostgresServerSettings, server_ha_mode

from ..stackfiles.edit import DELETE, Edit, plain
from .pair import Member, Pair, PairError

StepKind = Literal["up", "az", "state", "drctl"]
EffectKind = Literal[
    "cosmos-write-region", "forget", "storage-failover", "pg-promote", "pg-ha", "backup-protection", "pg-autogrow"
]

LINKED_SERVER = azure.REDIS_LINK
ORIGIN_TYPES = ("azure-native:cdn:AFDOrigin", "azure-native:trafficmanager:Endpoint")
COSMOS_ACCOUNT = azure.COSMOS_ACCOUNT
STORAGE_ACCOUNT = azure.STORAGE_ACCOUNT
PG_SERVER = azure.PG_SERVER
REDIS_CACHE = "azure-native:redis:Redis"
LOCK = "azure-native:authorization:ManagementLockByScope"
BACKUP_INSTANCE = azure.BACKUP_INSTANCE
PG_GENERATION = "postgres-generation"  # an Effect target: every resource of one server generation
NAMED = "named"  # an Effect target: every resource whose logical name contains the effect's value


@dataclass(frozen=True)
class Ref:
    """A value the runbook needs from a stack's state, resolved by the replay: a resource's URN (``urn``), or the
    name or notes of the CanNotDelete lock over it (``lock-name``, ``lock-notes``)."""

    stack: str
    kind: Literal["urn", "lock-name", "lock-notes"]
    type: str
    part: str = ""
    """The resource's logical name contains it (for a lock: the locked resource's)."""

    def placeholder(self) -> str:
        return f"<{self.kind} of {self.stack} {self.type.rsplit(':', 1)[-1]} {self.part}>".replace(" >", ">")


Arg = str | Ref
Command = tuple[Arg, ...]


@dataclass(frozen=True)
class Effect:
    """What Azure holds after an imperative step (the refresh the replay applies; see lifecycle.refresh)."""

    stack: str
    kind: EffectKind
    type: str
    value: str = ""
    other: str = ""
    """A second operand: the old primary of a switchover, the HA mode."""


@dataclass(frozen=True)
class Step:
    kind: StepKind
    stack: str | None
    commands: tuple[Command, ...]
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

    @property
    def argv(self) -> list[list[str]]:
        """Each command's exact argv (placeholders where a reference is not resolved yet)."""
        return [[a if isinstance(a, str) else a.placeholder() for a in command] for command in self.commands]

    @property
    def command(self) -> str:
        """The commands as one shell line (each argv quoted for the shell, joined by ``&&``)."""
        return " && ".join(shlex.join(argv) for argv in self.argv)


@dataclass(frozen=True)
class Transition:
    """A config switch: the edits written to the stack files and the runbook that applies them."""

    name: str
    edits: tuple[Edit, ...]
    steps: tuple[Step, ...]
    failed_region: str | None = None
    """A forced promotion: the region no step may write to (and no invoke may reach)."""
    rto_minutes: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.steps if not s.optional)


def verify_up(stack: str) -> str:
    """How to verify an up: against Azure itself (``pulumi preview --expect-no-changes`` fails on any change). Not
    ``drctl diff`` of the files, which compares the files with their own plan and so always agrees."""
    return f"`pulumi preview --stack {stack} --expect-no-changes` passes"


def up_step(stack: str, what: str = "", minutes: int = 5, *, targets: tuple[str, ...] = ()) -> Step:
    """``pulumi up`` of one stack (with ``targets``: only the stack's resources of those types, by URN)."""
    command: tuple[Arg, ...] = ("pulumi", "up", "--stack", stack)
    verify = verify_up(stack)
    if targets:
        command += tuple(part for t in targets for part in ("--target", Ref(stack, "urn", t)))
        verify = "the targeted resource shows the change (pulumi stack --stack " + stack + " --show-urns)"
    return Step("up", stack, (command,), what or f"{stack} as its stack file says", verify, minutes, targets=targets)


def _cosmos_steps(pair: Pair, new_active: Member, forced: bool) -> list[Step]:
    owner = pair.owner
    cfg = owner.config
    if not cfg.cosmos.enabled:
        return []
    names = owner.names
    other = pair.other(new_active.name).config.region
    account, group = names.cosmos_account, names.global_resource_group
    effect = Effect(owner.name, "cosmos-write-region", COSMOS_ACCOUNT, new_active.config.region)
    show = ("az", "cosmosdb", "show", "--name", account, "--resource-group", group, "--query")
    if forced:
        # Service-managed failover moves the write region by priority during an outage, with no call
        # (azure_transitions: cosmos-service-managed-failover).
        action = Step(
            "az",
            None,
            ((*show, "writeLocations[0].locationName", "--output", "tsv"),),
            f"Cosmos DB: the service-managed failover has made {new_active.config.region} the write region",
            f"the command prints {new_active.config.region}",
            0,
            (effect,),
        )
    else:
        action = Step(
            "az",
            None,
            (
                (
                    "az",
                    "cosmosdb",
                    "failover-priority-change",
                    "--name",
                    account,
                    "--resource-group",
                    group,
                    "--failover-policies",
                    f"{new_active.config.region}=0",
                    f"{other}=1",
                ),
            ),
            f"Cosmos DB: move the write region to {new_active.config.region} (DatabaseAccounts_"
            "FailoverPriorityChange: a planned failover, no data loss)",
            shlex.join((*show, "writeLocations[0].locationName", "--output", "tsv"))
            + f" prints {new_active.config.region}",
            5,
            (effect,),
        )
    refresh = Step(
        "state",
        owner.name,
        (("pulumi", "refresh", "--stack", owner.name, "--target", Ref(owner.name, "urn", COSMOS_ACCOUNT), "--yes"),),
        "read the new failover priorities back into the owner's state (the next up sends no priority change; "
        "refresh runs no program)",
        "the refresh shows the account's locations updated",
        1,
    )
    return [action, refresh]


def _unlink_step(link_owner: Member, geo_primary: Member, secondary: Member, from_side: Member) -> Step:
    """Remove a Redis geo-replication link from ``from_side``'s cache, lifting that cache's inherited lock."""
    here = from_side.names.redis
    there = (geo_primary if from_side is secondary else secondary).names.redis
    group = from_side.names.resource_group
    where = ("--resource-group", group, "--resource-type", "Microsoft.Cache/redis", "--resource", here)
    lock = Ref(from_side.name, "lock-name", REDIS_CACHE, here)
    return Step(
        "az",
        from_side.name,
        (
            ("az", "lock", "delete", "--name", lock, *where),
            (
                "az",
                "redis",
                "server-link",
                "delete",
                "--name",
                here,
                "--resource-group",
                group,
                "--linked-server-name",
                there,
            ),
            (
                "az",
                "lock",
                "create",
                "--name",
                lock,
                "--lock-type",
                "CanNotDelete",
                *where,
                "--notes",
                Ref(from_side.name, "lock-notes", REDIS_CACHE, here),
            ),
            (
                "pulumi",
                "state",
                "delete",
                Ref(link_owner.name, "urn", LINKED_SERVER),
                "--stack",
                link_owner.name,
                "--yes",
            ),
        ),
        f"Redis: unlink {geo_primary.names.redis} -> {secondary.names.redis} from {from_side.name}'s side (the "
        f"cache lock is inherited by the link, so it is lifted and restored); both caches become writable. "
        "Unlinking from the secondary while the primary's region is down is not documented: if it fails, the "
        "cache stays read-only until the region returns (the application's cache, not its data)",
        shlex.join(("az", "redis", "server-link", "list", "--name", here, "--resource-group", group)) + " prints []",
        5,
        (Effect(link_owner.name, "forget", LINKED_SERVER),),
        lifts=(here,),
    )


def _promote_step(new: Member, mode: Literal["forced", "planned"], old: Member) -> Step:
    """The documented promotion (Servers_Update, PATCH): `az postgres flexible-server replica promote`."""
    promote_mode, option = PROMOTE_MODES[mode]
    server, group = new.server, new.names.resource_group
    return Step(
        "az",
        new.name,
        (
            (
                "az",
                "postgres",
                "flexible-server",
                "replica",
                "promote",
                "--resource-group",
                group,
                "--name",
                server,
                "--promote-mode",
                promote_mode.lower(),
                "--promote-option",
                option.lower(),
                "--yes",
            ),
        ),
        f"PostgreSQL: promote {server} {promote_mode}/{option}"
        + (
            " (no wait for the lost primary: the replication lag is the data loss; it leaves the pair)"
            if mode == "forced"
            else f" (waits for zero lag; {old.server} becomes its read replica, HA off, no backups)"
        ),
        shlex.join(_pg_show(group, server, "replica.role"))
        + (" prints None" if mode == "forced" else " prints Primary"),
        10,
        (Effect(new.name, "pg-promote", PG_SERVER, promote_mode.lower(), "" if mode == "forced" else old.server),),
    )


def _pg_show(group: str, server: str, query: str) -> tuple[str, ...]:
    """``az postgres flexible-server show`` of one field, as the bare value (the runbooks' reads and checks)."""
    return (
        "az",
        "postgres",
        "flexible-server",
        "show",
        "--resource-group",
        group,
        "--name",
        server,
        "--query",
        query,
        "--output",
        "tsv",
    )


def _ha_step(member: Member, promoted_settings: PostgresServerSettings) -> Step | None:
    """HA for a server that has just become a primary: Azure leaves it off (Learn, "Promote read replicas",
    FAQ) and the documented way to turn it on is the PATCH `az postgres flexible-server update`."""
    mode = server_ha_mode(promoted_settings, member.config.region)
    if mode == "Disabled":
        return None
    server, group = member.server, member.names.resource_group
    return Step(
        "az",
        member.name,
        (
            (
                "az",
                "postgres",
                "flexible-server",
                "update",
                "--resource-group",
                group,
                "--name",
                server,
                "--high-availability",
                mode,
            ),
        ),
        f"PostgreSQL: enable {mode} HA on {server} (a switchover leaves HA off on both servers); the program "
        "then declares it",
        shlex.join(_pg_show(group, server, "highAvailability.mode")) + f" prints {mode}",
        15,
        (Effect(member.name, "pg-ha", PG_SERVER, server, mode),),
    )


def _protection_step(member: Member, server: str, action: Literal["stop", "resume"]) -> Step:
    """Stop (keeping the recovery points) or resume the long-term backup of ``server`` in ``member``'s vault."""
    names = member.names
    instance = f"bi-{server}"
    where = ("--resource-group", names.resource_group, "--vault-name", names.backup_vault)
    what = (
        f"Backup: stop protecting {server} in {names.backup_vault}, keeping its recovery points (it is a replica "
        "now: no backups are taken from a read replica)"
        if action == "stop"
        else f"Backup: resume protecting {server} in {names.backup_vault} (it takes backups again)"
    )
    return Step(
        "az",
        member.name,
        (
            (
                "az",
                "dataprotection",
                "backup-instance",
                f"{action}-protection",
                *where,
                "--backup-instance-name",
                instance,
            ),
        ),
        what,
        shlex.join(
            (
                "az",
                "dataprotection",
                "backup-instance",
                "show",
                *where,
                "--backup-instance-name",
                instance,
                "--query",
                "properties.protectionStatus.status",
            )
        ),
        2,
        (
            Effect(
                member.name,
                "backup-protection",
                BACKUP_INSTANCE,
                instance,
                "stopped" if action == "stop" else "protected",
            ),
        ),
    )


def worm_container(member: Member) -> str | None:
    """The container of the stack's account that holds a WORM immutability policy, if any."""
    backup = member.config.backup
    return backup.compliance_container if backup.enabled else None


def _storage_failover(old: Member, new: Member, requested: bool) -> tuple[list[Step], list[Edit], tuple[str, ...]]:
    """The customer-managed (unplanned) failover of the lost region's account, only when asked for and allowed."""
    account, group = old.names.storage_account, old.names.resource_group
    worm = worm_container(old)
    if worm is not None:
        why = (
            f"no storage failover for {account}: its container '{worm}' holds a WORM immutability policy and Azure "
            "refuses to fail over such an account (Learn, 'Azure storage disaster recovery planning and failover', "
            "unsupported features); its data stays readable from the secondary endpoint (RA-GRS/RA-GZRS) until "
            f"{old.config.region} returns"
        )
        if requested:
            raise PairError(f"promote: --storage-failover refused: {why}")
        return [], [], (why,)
    if not requested:
        return (
            [],
            [],
            (
                f"{account} stays in {old.config.region} (readable from its secondary endpoint); "
                "`drctl promote --forced --storage-failover` fails it over",
            ),
        )
    geo = old.config.storage.sku
    if not has_zones(new.config.region) and geo in azure.ZONAL_STORAGE_SKUS:
        geo = "Standard_RAGRS" if geo.startswith("Standard_RA") else "Standard_GRS"
    step = Step(
        "az",
        old.name,
        (("az", "storage", "account", "failover", "--name", account, "--resource-group", group, "--yes"),),
        f"Storage: fail {account} over to {new.config.region}: it becomes LRS there; its resource provider and "
        f"location stay in {old.config.region}, so geo-redundancy ({geo}, what {new.config.region} allows) is "
        f"restored from there when the region returns (`drctl rebuild {old.name}`'s pulumi up)",
        shlex.join(
            (
                "az",
                "storage",
                "account",
                "show",
                "--name",
                account,
                "--resource-group",
                group,
                "--query",
                "{primary: primaryLocation, sku: sku.name}",
            )
        )
        + f" prints primary {new.config.region}, sku Standard_LRS",
        60,
        (Effect(old.name, "storage-failover", STORAGE_ACCOUNT, new.config.region),),
    )
    edits = [Edit(old.name, ("storage", "sku"), geo)] if geo != old.config.storage.sku else []
    return [step], edits, ()


def _symmetric(old: Member, new: Member) -> None:
    """A planned promotion is a switchover: Azure refuses it unless both servers are identical."""

    def size(m: Member) -> azure.ServerSize:
        pg = m.config.postgres
        return azure.ServerSize(m.server, pg.sku_tier, pg.sku_name, pg.storage_size_gb)

    problem = azure.switchover_asymmetry(size(old), size(new))
    if problem is not None:
        raise PairError(f"promote --planned: {problem}; resize so both match (replica first), or use --forced")


def promote(
    pair: Pair, mode: Literal["forced", "planned"], name: str = "promote", *, storage_failover: bool = False
) -> Transition:
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
    linked = pg_new.replica_of == old.server or pg_old.replica_of == new.server
    if mode == "planned":
        if not (linked and pg_old.writer_endpoint):
            raise PairError(
                f"{name}: a planned promotion is a switchover, which needs the pair's virtual endpoint; "
                f"{new.server} and {old.server} have none (use --forced)"
            )
        _symmetric(old, new)
    if storage_failover and mode != "forced":
        raise PairError(f"{name}: --storage-failover goes with --forced (a planned switch moves no account)")
    edits: list[Edit] = [
        Edit(old.name, ("role",), "standby"),
        Edit(new.name, ("role",), "active"),
        Edit(new.name, ("postgres", "state"), "promoting"),
        Edit(new.name, ("postgres", "promotion"), mode),
        Edit(old.name, ("routing", "draining"), True),
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
        edits.append(Edit(old.name, ("unreachable",), True))
        # Standalone ends the replication pair: its virtual endpoint no longer follows (Learn, virtual endpoints).
        for m in (old, new):
            if m.config.postgres.writer_endpoint and linked:
                edits.append(Edit(m.name, ("postgres", "writer_endpoint"), False))
    else:
        edits.append(Edit(old.name, ("postgres", "state"), "replica"))  # the switchover makes it new's replica
    steps: list[Step] = _cosmos_steps(pair, new, mode == "forced")
    if new.config.redis.geo_secondary:
        # Unlinked before the new active takes traffic: its cache must be writable. The reverse link (the old
        # active's cache as geo-secondary) is written by `drctl settle` once both ups are done.
        edits.append(Edit(new.name, ("redis", "geo_secondary"), False))
        steps.append(_unlink_step(new, old, new, new))
    steps.append(_promote_step(new, mode, old))
    promoted = pg_new.model_copy(update={"state": "primary"})
    ha = _ha_step(new, promoted)
    if ha is not None:
        steps.append(ha)
    routing = "Traffic Manager endpoint" if new.config.routing.kind == "trafficmanager" else "Front Door origin"
    if mode == "planned" and backup.enabled:
        steps.append(_protection_step(old, old.server, "stop"))
    if mode == "planned" and new.config.backup.enabled and new.server in new.config.backup.retained_instances:
        steps.append(_protection_step(new, new.server, "resume"))
    demote = (
        f"{old.name} becomes standby: its {routing} steps aside to priority 3, so {new.name}'s (2, its data now "
        "writable) is alone at the best priority"
    )
    if mode == "forced":
        # The failed region takes no write: only the origin (in the global layer's group) is updated; the program
        # makes no call into the region (`unreachable`); the rest of the stack waits for the rebuild.
        origin_type = ORIGIN_TYPES[1] if old.config.routing.kind == "trafficmanager" else ORIGIN_TYPES[0]
        steps.append(
            up_step(
                old.name,
                demote + " (a targeted up: the only write, in the global layer's group)",
                targets=(origin_type,),
            )
        )
    else:
        steps.append(
            up_step(old.name, demote + f"; {old.server} is declared as the replica it now is (no HA, no backup)")
        )
    steps.append(
        up_step(
            new.name,
            f"{new.name} becomes active: it declares the promoted {new.server} (no promote fields"
            + ("" if mode == "forced" else "; it adopts the pair's writer endpoint Azure moved under it")
            + f"); its {routing} takes priority 1",
            15,
        )
    )
    notes: list[str] = []
    if mode == "forced":
        storage_steps, storage_edits, storage_notes = _storage_failover(old, new, storage_failover)
        steps += storage_steps
        edits += storage_edits
        notes += storage_notes
        if pg_new.create_as == "replica":
            notes.append(
                f"{new.server} was created as a replica, so it has no geo-redundant backup (create-only, chosen at "
                f"creation): after promotion its region-loss protection is the replica `drctl rebuild {old.name}` "
                "creates; geo-backup returns only with a generation created as a primary (a point-in-time "
                "restore), a planned migration this tool does not automate"
            )
    steps.append(_settle_step())
    rto = new.config.objective("postgresql").rto_minutes
    title = name if name != "promote" else f"{name} --{mode}"  # the command as the operator types it
    return Transition(
        title,
        tuple(edits),
        tuple(steps),
        old.config.region if mode == "forced" else None,
        rto,
        tuple(notes),
    )


def _block(member: Member, key: str) -> dict[str, Any]:
    """One config block of a stack file as written, so a copy keeps the user's keys and its secrets stay
    ``secure:`` ciphertext (the offline config holds placeholders, which must never be written back)."""
    value = member.file.written.get(f"{member.namespace}:{key}")
    return plain(value) if isinstance(value, dict) else {}


def _settle_step() -> Step:
    return Step(
        "drctl",
        None,
        (("drctl", "settle"),),
        "record the finished switch in the stack files (then run the pulumi ups it prints)",
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
    if target.config.unreachable:
        edits.append(Edit(stack, ("unreachable",), DELETE))  # the region is back
    if target.config.routing.draining:
        edits.append(Edit(stack, ("routing", "draining"), DELETE))
    if not active.config.postgres.writer_endpoint:
        edits.append(Edit(active.name, ("postgres", "writer_endpoint"), DELETE))  # the new pair gets one
    if active.config.redis.dr_mechanism == "geo-replication" and target.config.redis.dr_mechanism == "geo-replication":
        edits.append(Edit(stack, ("redis", "geo_secondary"), True))
    new_server = target.names.postgres(generation)
    group = active.names.resource_group
    check = Step(
        "az",
        active.name,
        (_pg_show(group, active.server, "storage.storageSizeGb"),),
        f"PostgreSQL: read {active.server}'s disk size (autogrow may have grown it): a replica is never smaller "
        f"than its source (Learn, 'Read replicas', Scale); {new_server} is created with "
        f"{pg.storage_size_gb} GB",
        f"the size printed is at most {pg.storage_size_gb}; if not, set postgres.storage_size_gb in "
        f"Pulumi.{stack}.yaml to it before the up",
        1,
    )
    steps = [
        check,
        up_step(
            stack,
            f"create {new_server} as a replica of {active.server} and the Redis link; {target.server} stays "
            f"declared, protected; the {stack} origin returns to priority 2",
            45,
        ),
        _settle_step(),
    ]
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
    steps: list[Step] = []
    for r in retired:
        server = target.names.postgres(r.generation)
        steps.append(
            _forget_step(
                stack,
                Ref(stack, "urn", PG_SERVER, f"-psql-g{r.generation}-server" if r.generation > 1 else "-psql-server"),
                f"Pulumi forgets {server} and its lock, admin, diagnostics, endpoint; Azure keeps them",
                Effect(stack, "forget", PG_GENERATION, str(r.generation)),
            )
        )
    for server in kept:
        steps.append(
            _forget_step(
                stack,
                Ref(stack, "urn", BACKUP_INSTANCE, f"-{server}"),
                f"Pulumi forgets the retained backup instance of {server}; Azure keeps it and its recovery points "
                "until the policy's retention ends",
                Effect(stack, "forget", NAMED, f"-{server}"),
            )
        )
    steps.append(up_step(stack, "no change: the released generations and instances are no longer declared", 1))
    notes = (
        f"delete a stale server yourself when you no longer need it: remove its lock (az lock delete), then az "
        f"postgres flexible-server delete --resource-group {target.names.resource_group} --name NAME",
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


def _forget_step(stack: str, urn: Ref, what: str, effect: Effect) -> Step:
    return Step(
        "state",
        stack,
        (
            ("pulumi", "state", "unprotect", urn, "--stack", stack, "--yes"),
            ("pulumi", "state", "delete", urn, "--stack", stack, "--target-dependents", "--yes"),
        ),
        what,
        f"pulumi stack --stack {stack} --show-urns no longer lists it",
        2,
        (effect,),
    )


def settle(pair: Pair) -> Transition:
    """Record that the last switch's runbook finished: new servers exist, a promotion is done, traffic settled."""
    edits: list[Edit] = []
    changed: list[Member] = []

    def touch(m: Member) -> None:
        if m not in changed:
            changed.append(m)

    for m in pair.members.values():
        pg = m.config.postgres
        if pg.state == "new":
            edits.append(Edit(m.name, ("postgres", "state"), "primary" if pg.create_as == "primary" else "replica"))
            touch(m)
            if pg.create_as == "replica" and m.peer in pair.members:
                touch(pair.members[m.peer])  # the pair's primary declares the writer endpoint once the replica exists
        elif pg.state == "promoting":
            edits.append(Edit(m.name, ("postgres", "state"), "primary"))
            touch(m)
            if pg.promotion == "planned":
                peer = pair.other(m.name)
                if peer.config.postgres.state == "primary":  # the switchover made it the replica
                    edits.append(Edit(peer.name, ("postgres", "state"), "replica"))
                    touch(peer)
                redis = (m.config.redis, peer.config.redis)
                if all(r.enabled and r.dr_mechanism == "geo-replication" for r in redis) and not redis[1].geo_secondary:
                    # Both regions are up after a planned promotion: the old active's cache follows as
                    # geo-secondary (linking flushes it; it is a cache).
                    edits.append(Edit(peer.name, ("redis", "geo_secondary"), True))
                    touch(peer)
    for m in pair.members.values():
        if m.config.routing.draining and not m.config.unreachable:
            edits.append(Edit(m.name, ("routing", "draining"), DELETE))  # the switch is over: back to 2
            touch(m)
    if not edits:
        raise PairError("settle: nothing to settle (no server is new or promoting, no origin draining)")
    # Replicas first: the pair's primary reads its replica's exports (for the writer endpoint).
    order = sorted(changed, key=lambda m: m.config.is_active)
    what = {m.name: "the settled state: the finished switch as the stack file now records it" for m in order}
    return Transition("settle", tuple(edits), tuple(up_step(m.name, what[m.name], 2) for m in order))


def _settled(pair: Pair, name: str) -> None:
    states = {m.name: m.config.postgres.state for m in pair.members.values()}
    busy = [f"{n} ({s})" for n, s in states.items() if s in ("new", "promoting")]
    busy += [
        f"{m.name} (routing.draining)"
        for m in pair.members.values()
        if m.config.routing.draining and not m.config.unreachable
    ]
    if busy:
        raise PairError(f"{name}: {', '.join(busy)} must settle first: run its pulumi up, then `drctl settle`")


def resolved(step: Step, argv: Sequence[Sequence[str]]) -> Step:
    """The step with every reference resolved (``argv``: one list per command)."""
    return replace(step, commands=tuple(tuple(a) for a in argv))


def describe(transition: Transition) -> dict[str, Any]:
    return {
        "name": transition.name,
        "edits": [e.describe() for e in transition.edits],
        "steps": [
            {
                "kind": s.kind,
                "stack": s.stack,
                "argv": s.argv,
                "command": s.command,
                "what": s.what,
                "verify": s.verify,
                "minutes": s.minutes,
                "optional": s.optional,
                "targets": list(s.targets),
                "lifts": list(s.lifts),
                "effects": [e.__dict__ for e in s.effects],
            }
            for s in transition.steps
        ],
        "minutes": transition.minutes,
        "rto_minutes": transition.rto_minutes,
        "notes": list(transition.notes),
    }
