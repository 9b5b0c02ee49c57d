"""PostgreSQL flexible server: an Entra-only primary with geo-backup and zone-redundant HA, or its DR replica.

A server's create-only inputs come from how its generation was created (``replica_of``), never from the role,
and its lifecycle step (``state``) decides the rest, so promotion, rebuild and failback are updates:

- ``new``: the creating deployment (``createMode`` ``Create`` or ``Replica``);
- ``primary`` / ``replica``: an existing server (``createMode`` ``Update``, so a later PUT never asks Azure to
  create a server or a replica again; the provider sends every update as a full PUT, facts §0);
- ``promoting``: the one deployment that sends the write-only ``replica.promoteMode/promoteOption``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
from pulumi_azure_native import dbforpostgresql as pg

from components.config import PrivateEndpoint
from components.interfaces import DataInterfaces, data_tags, protect_data, stateful

# Azure moves the zones on an HA failover; follow Azure rather than fight it on every `pulumi up`. After a
# promotion Azure stops reporting the source server and reports a new replication role: those must never turn
# into a replacement on the next `up` (``sourceServerResourceId`` and ``pointInTimeUTC`` are create-only:
# azure-native-replace.json), whatever a refresh reads back.
IGNORED_DRIFT = [
    "availabilityZone",
    "highAvailability.standbyAvailabilityZone",
    "sourceServerResourceId",
    "pointInTimeUTC",
    "replicationRole",
]

ServerState = Literal["new", "primary", "replica", "promoting"]
HighAvailability = Literal["ZoneRedundant", "SameZone", "Disabled"]

# Learn, "Promote read replicas in Azure Database for PostgreSQL": a forced promotion does not wait for the
# primary (regional outage, accepts the replication lag as data loss) and leaves replication (Standalone); a
# planned one waits for the replica to catch up and swaps the roles (Switchover: "promote to primary server"),
# which needs a virtual endpoint whose reader is the replica.
PROMOTE_MODES: dict[str, tuple[str, str]] = {"forced": ("Standalone", "Forced"), "planned": ("Switchover", "Planned")}


@dataclass(frozen=True)
class EntraAdministrator:
    """The Entra group or identity that administers an Entra-only server (nobody can sign in without one)."""

    object_id: str
    principal_name: str
    principal_type: Literal["Group", "User", "ServicePrincipal"] = "Group"


@dataclass(frozen=True)
class PostgresServerArgs:
    """One server generation. Defaults are the resilient choice for a primary."""

    server_name: str
    tenant_id: pulumi.Input[str]
    interfaces: DataInterfaces
    entra_admin: EntraAdministrator | None = None
    """Required for a server created as a primary; a replica inherits its administrators."""
    replica_of: pulumi.Input[str] | None = None
    """The source server's id: the server is created as its read replica. Never changes for a generation."""
    state: ServerState = "new"
    """Lifecycle step: ``new`` creates it, ``promoting`` promotes it in this deployment only."""
    promotion: Literal["forced", "planned"] | None = None
    """How a ``promoting`` server is promoted: forced = Standalone/Forced, planned = Switchover/Planned."""
    version: str = "16"
    sku_name: str = "Standard_D4ds_v5"
    sku_tier: str = "GeneralPurpose"
    storage_size_gb: int = 128
    backup_retention_days: int = 30
    """Point-in-time restore window (Azure allows 7-35 days)."""
    geo_redundant_backup: bool = True
    """Create-only: chosen when the server is created; a replica never has it."""
    high_availability: HighAvailability = "ZoneRedundant"
    """Only where the region has zones; a replica has none until promoted."""
    dr_mechanism: str = "postgres-replica"
    """The DR mechanism tag the policy pack checks (``components.recovery`` keys)."""
    private_endpoint: PrivateEndpoint | None = None


class PostgresServer(pulumi.ComponentResource):
    """One region's server generation: a primary, or a read replica of ``replica_of``."""

    server: pg.Server
    server_id: pulumi.Output[str]
    server_name: pulumi.Output[str]
    fqdn: pulumi.Output[str]

    def __init__(self, name: str, args: PostgresServerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:postgres:PostgresServer", name, None, opts)
        i = args.interfaces
        replica = args.replica_of is not None
        if not replica and args.entra_admin is None:
            raise ValueError(f"{args.server_name}: a server created as a primary needs entra_admin")
        if args.state == "promoting" and args.promotion is None:
            raise ValueError(f"{args.server_name}: state=promoting needs promotion (forced or planned)")
        # A server created as a replica manages its own backup and HA only while it serves writes (state
        # primary); while it replicates (or is being promoted) it sends what its creation sent and nothing more.
        created_as_replica_and_still_one = replica and args.state != "primary"
        server = pg.Server(
            f"{name}-server",
            server_name=args.server_name,
            resource_group_name=i.resource_group_name,
            location=i.location,
            create_mode=_create_mode(replica, args.state),
            source_server_resource_id=args.replica_of,
            # The spec's replica-create example sends only location, identity, createMode and the source
            # (ServerCreateReplica.json, 2025-08-01); Learn ("Read replicas in Azure Database for PostgreSQL")
            # says a replica inherits version, auth and admins and supports neither HA nor geo-backup. Compute
            # and storage may differ (a replica is scaled up before its primary).
            version=None if replica else args.version,
            sku=pg.SkuArgs(name=args.sku_name, tier=args.sku_tier),
            storage=pg.StorageArgs(storage_size_gb=args.storage_size_gb, auto_grow="Enabled"),
            backup=None
            if created_as_replica_and_still_one
            else pg.BackupArgs(
                backup_retention_days=args.backup_retention_days,
                geo_redundant_backup="Enabled" if args.geo_redundant_backup and not replica else "Disabled",
            ),
            high_availability=None
            if created_as_replica_and_still_one
            else pg.HighAvailabilityArgs(mode=args.high_availability),
            auth_config=None
            if replica
            else pg.AuthConfigArgs(active_directory_auth="Enabled", password_auth="Disabled", tenant_id=args.tenant_id),
            network=pg.NetworkArgs(public_network_access="Disabled"),
            replica=_promote(args),
            identity=pg.UserAssignedIdentityArgs(
                type="UserAssigned",
                user_assigned_identities=pulumi.Output.from_input(i.identity_id).apply(
                    lambda rid: {rid: pg.UserIdentityArgs()}
                ),
            )
            if i.identity_id is not None
            else None,
            tags=data_tags(i, args.dr_mechanism),
            opts=stateful(self, ignore_changes=IGNORED_DRIFT),
        )
        if args.entra_admin is not None and not replica:
            admin = args.entra_admin
            pg.AdministratorsMicrosoftEntra(
                f"{name}-entra-admin",
                resource_group_name=i.resource_group_name,
                server_name=server.name,
                object_id=admin.object_id,
                principal_name=admin.principal_name,
                principal_type=admin.principal_type,
                tenant_id=args.tenant_id,
                opts=pulumi.ResourceOptions(parent=self),
            )
        protect_data(
            self,
            name,
            server,
            i,
            private_endpoint=args.private_endpoint,
            private_link_group="postgresqlServer",
        )
        self.server = server
        self.server_id = server.id
        self.server_name = server.name
        self.fqdn = server.fully_qualified_domain_name
        self.register_outputs({"server_id": self.server_id, "server_name": self.server_name, "fqdn": self.fqdn})


def _create_mode(replica: bool, state: ServerState) -> str:
    if state == "new":
        return "Replica" if replica else "Create"
    return "Update"


def _promote(args: PostgresServerArgs) -> pg.ReplicaArgs | None:
    """The write-only promote fields: in the promoting deployment only, never re-sent by a later update."""
    if args.state != "promoting" or args.promotion is None:
        return None
    mode, option = PROMOTE_MODES[args.promotion]
    return pg.ReplicaArgs(promote_mode=mode, promote_option=option)


@dataclass(frozen=True)
class PostgresWriterEndpointArgs:
    """A virtual endpoint on the source server of a replication pair: one writer host name across switchovers."""

    endpoint_name: str
    source_server_name: pulumi.Input[str]
    source_resource_group_name: pulumi.Input[str]
    replica_server_name: pulumi.Input[str]


class PostgresWriterEndpoint(pulumi.ComponentResource):
    """Learn, "Virtual endpoints for read replicas": managed in the context of the primary, the writer endpoint
    follows "promote to primary server" (Switchover) and is required for it; only one per pair.

    Declared by the stack that created the replica, once, and never changed: after a switchover Azure keeps it
    on the pair while the declared parent stays the original source (unverified: rehearse in a drill).
    ``retain_on_delete``: when a forced (Standalone) promotion ends the pair, the program stops declaring it and
    Pulumi forgets it without a call into the failed region.
    """

    writer_host: pulumi.Output[str]

    def __init__(self, name: str, args: PostgresWriterEndpointArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:postgres:PostgresWriterEndpoint", name, None, opts)
        endpoint = pg.VirtualEndpoint(
            f"{name}-vep",
            virtual_endpoint_name=args.endpoint_name,
            server_name=args.source_server_name,
            resource_group_name=args.source_resource_group_name,
            endpoint_type=pg.VirtualEndpointType.READ_WRITE,
            members=[args.replica_server_name],
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
        )
        self.writer_host = endpoint.virtual_endpoints.apply(lambda hosts: hosts[0] if hosts else "")
        self.register_outputs({"writer_host": self.writer_host})
