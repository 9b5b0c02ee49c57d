"""What Azure itself does during a DR switch: each operation's effect on the resources and what Azure refuses.

The offline replay (``azure_dr.cli.lifecycle.simulate``) applies these transitions as the refresh between runbook
steps, so every ``pulumi up`` is diffed against what Azure will hold rather than against the previous plan; the
policy pack and ``drctl promote`` share the switchover symmetry rule. Data (``OPERATIONS``, each with its sources:
the REST spec file at the API version the pinned SDK uses, and the Microsoft Learn page title) plus small functions
over plain property dicts, so the module needs no cloud SDK.

Azure-held facts that are not program inputs live in a state resource's ``outputs`` under Azure's own property
names (``replica.role``, ``highAvailability.mode``, ``primaryLocation``...); the declared ``inputs`` of a state
resource are what a refresh reads back, in the program's own vocabulary.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .limits import pg_vcores
from .paths import dig
from .regions import has_zones

PG_SERVER = "azure-native:dbforpostgresql:Server"
PG_ENDPOINT = "azure-native:dbforpostgresql:VirtualEndpoint"
STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
IMMUTABILITY_POLICY = "azure-native:storage:BlobContainerImmutabilityPolicy"
COSMOS_ACCOUNT = "azure-native:cosmosdb:DatabaseAccount"
REDIS_LINK = "azure-native:redis:LinkedServer"
BACKUP_INSTANCE = "azure-native:dataprotection:BackupInstance"

PG_SPEC = "specification/postgresql/resource-manager/Microsoft.DBforPostgreSQL/stable/2025-08-01"
STORAGE_SPEC = "specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01"
COSMOS_SPEC = "specification/cosmos-db/resource-manager/Microsoft.DocumentDB/DocumentDB/stable/2025-10-15"
REDIS_SPEC = "specification/redis/resource-manager/Microsoft.Cache/Redis/stable/2024-11-01"
CDN_SPEC = "specification/cdn/resource-manager/Microsoft.Cdn/Cdn/stable/2025-06-01"

#: ``replica.role`` values (spec ``ReplicationRole``): a server Azure holds as a read replica.
REPLICA_ROLES = frozenset({"AsyncReplica", "GeoAsyncReplica"})
#: Premium SSD sizes a flexible server's disk takes (GiB); autogrow moves to the next one (Learn, "Storage options
#: in Azure Database for PostgreSQL - Flexible Server": "always double in both size and cost").
PREMIUM_SSD_GB = (32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767)
#: Storage SKUs whose primary copies are spread over zones: refused where the account's primary has none.
ZONAL_STORAGE_SKUS = frozenset({"Standard_ZRS", "Standard_GZRS", "Standard_RAGZRS"})


@dataclass(frozen=True)
class Operation:
    """One Azure operation a switch relies on: what Azure leaves behind, what it refuses, and where that is said."""

    key: str
    service: str
    title: str
    leaves: str
    refuses: str
    spec: str
    learn: str
    unverified: str = ""
    """What only a live drill can confirm (the model takes the side that risks no data)."""


OPERATIONS: dict[str, Operation] = {
    op.key: op
    for op in (
        Operation(
            "pg-switchover",
            "postgresql",
            "Switchover (promote to primary server), Planned or Forced",
            "the roles swap: the replica becomes the primary, the old primary a read replica with HA off and no "
            "backups taken from it; the writer virtual endpoint follows the new primary and is then managed "
            "through it; HA is not re-enabled on either server (not even when switching back)",
            "a pair whose servers differ in tier, vCores or storage size (server symmetry; a Forced switchover "
            "skips the check only while a region is down), a pair without a virtual endpoint whose reader "
            "includes the replica, servers that are not Available",
            f"{PG_SPEC}/Servers.json Servers_Update (PATCH), examples ServersPromoteReplicaAsPlannedSwitchover.json "
            "and ServersPromoteReplicaAsForcedSwitchover.json",
            '"Promote read replicas in Azure Database for PostgreSQL" (Promote to primary server; Server '
            'Symmetry; Configuration management; FAQ on HA); "Read replicas in Azure Database for PostgreSQL" '
            "(Unsupported features on read replicas; Back up and Restore)",
            "the writer endpoint's members after the roles swap (adopted under the new primary with the old one "
            "as member)",
        ),
        Operation(
            "pg-promote-standalone",
            "postgresql",
            "Promote to independent server (Standalone), Forced or Planned",
            "the replica leaves replication as a read-write server with HA off and no geo-redundant backup "
            "(create-only, never on a replica); it is no longer a member of any virtual endpoint, which stays "
            "under the old primary; the old primary is not touched",
            "nothing while a region is down (Forced skips the checks); outside an outage, Forced on an asymmetric pair",
            f"{PG_SPEC}/Servers.json Servers_Update (PATCH), examples "
            "ServersPromoteReplicaAsForcedStandaloneServer.json and "
            "ServersPromoteReplicaAsPlannedStandaloneServer.json",
            '"Promote read replicas in Azure Database for PostgreSQL" (Promote to independent server and remove '
            "from replication; Configuration management)",
        ),
        Operation(
            "pg-promote-by-put",
            "postgresql",
            "A promotion sent as the provider's full PUT (replica.promoteMode in Servers_CreateOrUpdate)",
            "unknown",
            "refused by the model: every promote example is Servers_Update (PATCH); a PUT also re-sends the stale "
            "sourceServerResourceId. The runbook promotes with `az postgres flexible-server replica promote` "
            "(PATCH) and the program then declares the result",
            f"{PG_SPEC}/Servers.json (Servers_CreateOrUpdate examples show no promotion)",
            '"Promote read replicas in Azure Database for PostgreSQL"',
            "whether a full PUT with replica.promoteMode promotes at all",
        ),
        Operation(
            "pg-replica-create",
            "postgresql",
            "Create a read replica (createMode Replica)",
            "a read-only server replicating from its source, with no HA and no backups; it inherits version, "
            "admins and authentication",
            "HA or geo-redundant backup on a replica; a replica smaller than its source (the primary's storage "
            "must not exceed the smallest replica's); Burstable tier",
            f"{PG_SPEC}/Servers.json Servers_CreateOrUpdate, example ServersCreateReplica.json",
            '"Read replicas in Azure Database for PostgreSQL" (Create a replica; Configuration management; Scale; '
            "Storage autogrow)",
        ),
        Operation(
            "pg-ha-enable",
            "postgresql",
            "Enable high availability on a primary (az postgres flexible-server update --high-availability)",
            "the server runs a standby in another zone (ZoneRedundant) or the same zone (SameZone)",
            "HA on a read replica; ZoneRedundant in a region without zones; Burstable tier; enabling HA through "
            "the program's full PUT (no spec example does: the runbook enables it with the documented PATCH "
            "first, then the program declares it)",
            f"{PG_SPEC}/Servers.json Servers_Update (PATCH)",
            '"Promote read replicas in Azure Database for PostgreSQL" (FAQ: HA must be enabled again after '
            'switching back); "Read replicas in Azure Database for PostgreSQL" (Unsupported features)',
        ),
        Operation(
            "pg-autogrow",
            "postgresql",
            "Storage autogrow",
            "the disk doubles to the next Premium SSD size when free space runs low; a refresh reads the new size",
            "any request that would shrink the disk (storage scales up only), so a full PUT must never send a "
            "smaller storageSizeGB than Azure holds",
            f"{PG_SPEC}/Servers.json (Storage.storageSizeGB, autoGrow)",
            '"Storage options in Azure Database for PostgreSQL - Flexible Server" (Storage autogrow; "storage can '
            'only be scaled up, not down"); "Configure storage autogrow"',
            "how large the disks of a deployed pair have grown (read them before a switch: `az postgres "
            "flexible-server show --query storage`)",
        ),
        Operation(
            "pg-virtual-endpoint",
            "postgresql",
            "Virtual endpoint (writer) of a replication pair",
            "one writer host name that follows the primary through every switchover; one per pair",
            "managing or reading it through the server that is not the current primary (adding, editing and "
            "removing happen in the primary's context; reading it from the non-primary answers 400)",
            f"{PG_SPEC}/VirtualEndpoints.json",
            '"Virtual endpoints for read replicas in Azure Database for PostgreSQL"; hashicorp/terraform-provider-'
            "azurerm pull requests #29424 and #30789 (the 400 read from the non-primary after a failover)",
        ),
        Operation(
            "cosmos-service-managed-failover",
            "cosmos",
            "Service-managed failover of the write region",
            "during a regional outage the write region moves to the available region with the next failover "
            "priority, without any call; failover priority 0 is the write region",
            "nothing the runbook sends",
            f"{COSMOS_SPEC}/cosmos-db.json (enableAutomaticFailover; FailoverPolicy.failoverPriority)",
            '"Reliability in Azure Cosmos DB for NoSQL"',
            "the priorities the account reports after a service-managed failover (modelled: the write region at 0)",
        ),
        Operation(
            "cosmos-priority-change",
            "cosmos",
            "Failover priority change (az cosmosdb failover-priority-change)",
            "the region given priority 0 becomes the write region (a planned failover, no data loss)",
            "the model refuses moving the write region through the account's PUT: the spec gives the write region "
            "its own operation (the safe side)",
            f"{COSMOS_SPEC}/cosmos-db.json DatabaseAccounts_FailoverPriorityChange (POST), example "
            "CosmosDBDatabaseAccountFailoverPriorityChange.json",
            '"Reliability in Azure Cosmos DB for NoSQL"',
        ),
        Operation(
            "storage-failover-unplanned",
            "storage",
            "Customer-managed (unplanned) account failover (az storage account failover)",
            "the secondary becomes the primary and the account is locally redundant (LRS) there; the storage "
            "resource provider does not fail over: the account's location stays the original region and every "
            "management operation still needs that region",
            "an account with any container holding a WORM immutability policy (time-based retention, locked or "
            "not, or a legal hold), a hierarchical namespace, object replication or premium block blobs",
            f"{STORAGE_SPEC}/storage.json StorageAccounts_Failover (POST), example StorageAccountFailover.json",
            '"Azure storage disaster recovery planning and failover" (Storage resource provider; Unsupported '
            'features and services); "How customer-managed (unplanned) failover works"',
        ),
        Operation(
            "storage-failover-planned",
            "storage",
            "Customer-managed planned failover (az storage account failover --failover-type Planned)",
            "the primary and secondary regions swap with no data loss and the redundancy is kept (restored on "
            "failback)",
            "failover unless both regions are available; the same unsupported features as an unplanned failover",
            f"{STORAGE_SPEC}/storage.json StorageAccounts_Failover (failoverType=Planned), example "
            "StorageAccountFailoverPlanned.json",
            '"How customer-managed planned failover works"; "Azure storage disaster recovery planning and failover"',
            "the WORM refusal for a planned failover (the list is written for account failover in general; the "
            "model applies it)",
        ),
        Operation(
            "redis-unlink",
            "redis",
            "Remove a passive geo-replication link (az redis server-link delete)",
            "both caches become independent read-write caches; the secondary keeps the data replicated so far",
            "deleting a linked cache; scaling or persistence on either cache while linked; a child write under a "
            "CanNotDelete lock (locks are inherited)",
            f"{REDIS_SPEC}/redis.json LinkedServer_Delete",
            '"Configure passive geo-replication for Premium Azure Cache for Redis instances" (Remove a '
            'geo-replication link; How does failing over to the secondary linked cache work?); "Lock your '
            'resources to protect your infrastructure"',
            "unlinking from the secondary's side while the primary's region is down (not documented)",
        ),
        Operation(
            "redis-link",
            "redis",
            "Add a passive geo-replication link",
            "the secondary is flushed and then replicates the primary; it is read-only while linked",
            "a secondary smaller than the primary; persistence on either cache",
            f"{REDIS_SPEC}/redis.json LinkedServer_Create",
            '"Configure passive geo-replication for Premium Azure Cache for Redis instances"',
        ),
        Operation(
            "frontdoor-origin-priority",
            "routing",
            "Front Door origin priority (AFDOrigins_Update)",
            "traffic goes to the healthy origins with the lowest priority number; origins sharing it split the "
            "traffic by weight",
            "nothing a switch sends (priority 1-5)",
            f"{CDN_SPEC}/afdx.json AFDOrigins_Update",
            '"Traffic routing methods to origin" (Azure Front Door: priority, then weighted)',
        ),
        Operation(
            "region-down",
            "all",
            "A whole region down",
            "no call into the region answers: no write, no refresh, no data-source invoke on its resources; "
            "`pulumi up --target` still runs the whole program, so every invoke it makes must avoid the region",
            "every management write into the region, including to a resource group whose metadata is there",
            "(no operation: the absence of every one)",
            '"What is a resource group" (a group\'s region unavailable: its resources cannot be updated); Pulumi '
            'docs "pulumi up" (--target: the program runs, only the targets are updated)',
        ),
    )
}


@dataclass(frozen=True)
class ServerSize:
    """The size of one PostgreSQL server as a switchover compares it."""

    name: str
    tier: str
    sku_name: str
    storage_gb: float

    def describe(self) -> str:
        return f"{self.name} {self.tier} {self.sku_name} ({pg_vcores(self.sku_name)} vCores) {self.storage_gb:g} GB"


def switchover_asymmetry(a: ServerSize, b: ServerSize) -> str | None:
    """Why Azure refuses a switchover between ``a`` and ``b`` (tier, vCores and storage must be identical: Learn,
    "Promote read replicas in Azure Database for PostgreSQL", Server Symmetry), or None."""
    differs = [
        what
        for what, left, right in (
            ("tier", a.tier, b.tier),
            ("vCores", pg_vcores(a.sku_name), pg_vcores(b.sku_name)),
            ("storage", float(a.storage_gb), float(b.storage_gb)),
        )
        if left != right
    ]
    if not differs:
        return None
    return (
        f"a switchover needs identical servers ({', '.join(differs)} differ): {a.describe()}, {b.describe()} "
        "(Learn, 'Promote read replicas', Server Symmetry)"
    )


def grown_storage(gb: float) -> int:
    """The disk size after one autogrow: the next Premium SSD size."""
    bigger = [size for size in PREMIUM_SSD_GB if size > gb]
    return bigger[0] if bigger else int(gb)


# --- transitions: what a refresh reads back after Azure acted (inputs, outputs -> inputs, outputs) ----------


def _with(values: Mapping[str, Any], path: str, value: Any, only_if_present: bool = False) -> dict[str, Any]:
    """A copy of ``values`` with ``path`` set (with ``only_if_present``: only where the path's parent exists)."""
    result: dict[str, Any] = copy.deepcopy(dict(values))
    *parents, last = path.split(".")
    node = result
    for part in parents:
        if not isinstance(node.get(part), dict):
            if only_if_present:
                return result
            node[part] = {}
        node = node[part]
    if only_if_present and last not in node:
        return result
    node[last] = value
    return result


def server_role(outputs: Mapping[str, Any]) -> str:
    """The server's replication role as Azure holds it (``None`` for an independent server)."""
    return str(dig(outputs, "replica.role") or "None")


def is_replica(outputs: Mapping[str, Any]) -> bool:
    return server_role(outputs) in REPLICA_ROLES


def held_ha(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> str:
    return str(dig(outputs, "highAvailability.mode") or dig(inputs, "highAvailability.mode") or "Disabled")


def held_storage(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> float:
    return float(dig(outputs, "storage.storageSizeGB") or dig(inputs, "storage.storageSizeGB") or 0)


def as_replica(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The old primary after a switchover: a geo-replica, HA off, no backups taken. A replica has neither HA nor
    backups to declare, so its refreshed inputs carry neither block (what the program declares for a replica)."""
    held = {k: v for k, v in inputs.items() if k not in ("backup", "highAvailability")}
    out = _with(_with(outputs, "replica.role", "GeoAsyncReplica"), "highAvailability.mode", "Disabled")
    return held, out


def as_primary(
    inputs: Mapping[str, Any], outputs: Mapping[str, Any], role: str = "Primary"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A replica after its promotion (``Primary`` by a switchover, ``None`` standalone): read-write, HA off,
    backups taken again, no geo-redundant backup (create-only; a replica never has it). The backup block a
    replica did not declare reads back as what Azure kept for it: a server demoted earlier keeps the settings it
    had as a primary (geo-redundant backup is create-only), one created as a replica gets Azure's defaults (7
    days' retention, no geo-redundant backup)."""
    held = dict(inputs)
    if "highAvailability" in held:
        held = _with(held, "highAvailability.mode", "Disabled")
    if "backup" not in held:
        kept = outputs.get("backup")
        held["backup"] = (
            dict(kept) if isinstance(kept, Mapping) else {"backupRetentionDays": 7.0, "geoRedundantBackup": "Disabled"}
        )
    out = _with(_with(outputs, "replica.role", role), "highAvailability.mode", "Disabled")
    return held, out


def with_ha(inputs: Mapping[str, Any], outputs: Mapping[str, Any], mode: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """After `az postgres flexible-server update --high-availability MODE` on a primary."""
    held = _with(inputs, "highAvailability.mode", mode)
    return held, _with(outputs, "highAvailability.mode", mode)


def with_grown_disk(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """After one autogrow: the refresh reads the larger disk back."""
    size = grown_storage(held_storage(inputs, outputs))
    return (
        _with(inputs, "storage.storageSizeGB", float(size), only_if_present=True),
        _with(outputs, "storage.storageSizeGB", float(size)),
    )


def failed_over_account(
    inputs: Mapping[str, Any], outputs: Mapping[str, Any], to_region: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An account after an unplanned failover: LRS, its primary in ``to_region``, its location (and resource
    provider) unchanged."""
    held = _with(inputs, "sku.name", "Standard_LRS")
    return held, {**_with(outputs, "sku.name", "Standard_LRS"), "primaryLocation": to_region}


def with_write_region(inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    """A Cosmos account whose write region moved to ``region``: it takes priority 0, the others keep their order."""
    locations = sorted(inputs.get("locations") or [], key=lambda loc: loc.get("locationName") != region)
    return {**inputs, "locations": [{**loc, "failoverPriority": float(i)} for i, loc in enumerate(locations)]}


# --- refusals: what Azure refuses when a `pulumi up` sends `new` to a resource it holds as `held` -------------


def effective(new: Mapping[str, Any], held: Mapping[str, Any], ignored: Iterable[str]) -> dict[str, Any]:
    """What the provider sends: the declared inputs with every ``ignore_changes`` path taken from state."""
    sent = copy.deepcopy(dict(new))
    for path in ignored:
        value = dig(held, path)
        if value is not None and (dig(sent, path) is not None or "." not in path):
            sent = _with(sent, path, value)
    return sent


def refusals(
    type_: str,
    held_inputs: Mapping[str, Any] | None,
    held_outputs: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    ignored: Iterable[str] = (),
) -> list[str]:
    """Why Azure would refuse (or the model, where only an undocumented path exists) the write that turns
    ``held`` into ``new``: a create when ``held_inputs`` is None. Empty when Azure accepts it."""
    held_in, held_out = held_inputs or {}, held_outputs or {}
    sent = effective(new, held_in, ignored)
    found: list[str] = []
    if type_ == PG_SERVER:
        if dig(sent, "replica.promoteMode"):
            found.append(OPERATIONS["pg-promote-by-put"].refuses)
        if held_inputs is None:
            return found
        if is_replica(held_out) and ("backup" in sent or held_mode(sent) != "Disabled"):
            found.append("a read replica has neither backups nor HA (Learn, 'Read replicas', unsupported features)")
        size, now = float(dig(sent, "storage.storageSizeGB") or 0), held_storage(held_in, held_out)
        if size and size < now:
            found.append(f"storage {size:g} GB is smaller than the {now:g} GB Azure holds (storage only scales up)")
        if held_ha(held_in, held_out) == "Disabled" and held_mode(sent) != "Disabled" and not is_replica(held_out):
            found.append(
                f"HA {held_mode(sent)} sent by a full PUT: enable it first with `az postgres flexible-server update "
                "--high-availability` (the documented PATCH), then declare it"
            )
    elif type_ == STORAGE_ACCOUNT and held_inputs is not None:
        primary = str(held_out.get("primaryLocation") or new.get("location") or "")
        sku = str(dig(sent, "sku.name") or "")
        if sku in ZONAL_STORAGE_SKUS and primary and not has_zones(primary):
            found.append(f"{sku} while the account's primary is {primary}, a region without availability zones")
    elif type_ == COSMOS_ACCOUNT and held_inputs is not None and _write_region(held_in) != _write_region(sent):
        found.append(
            "the write region moves only through DatabaseAccounts_FailoverPriorityChange "
            "(az cosmosdb failover-priority-change), not the account's PUT"
        )
    return found


def held_mode(values: Mapping[str, Any]) -> str:
    return str(dig(values, "highAvailability.mode") or "Disabled")


def _write_region(inputs: Mapping[str, Any]) -> str | None:
    for loc in inputs.get("locations") or []:
        if float(loc.get("failoverPriority", -1)) == 0:
            return str(loc.get("locationName"))
    return None
