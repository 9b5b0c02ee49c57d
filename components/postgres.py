"""PostgreSQL flexible server: an Entra-only primary with geo-backup and zone-redundant HA, or its DR replica.

A server's create-only inputs come from how its generation was created (``replica_of``), never from the role,
and its lifecycle step (``state``) decides the rest, so promotion, rebuild and failback are updates:

- ``new``: the creating deployment (``createMode`` ``Create`` or ``Replica``);
- ``primary`` / ``replica``: an existing server (``createMode`` ``Update``, so a later PUT never asks Azure to
  create a server or a replica again; the provider sends every update as a full PUT, facts §0). A replica,
  created as one or demoted by a switchover, declares what Azure gives a replica: no backup, no HA;
- ``promoting``: the deployment right after the runbook promoted the server with the documented PATCH (``az
  postgres flexible-server replica promote``; every promote example in the 2025-08-01 spec is ``Servers_Update``):
  it declares the promoted server. The program never sends the write-only ``replica.promoteMode``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
from pulumi_azure_native import dbforpostgresql as pg

from . import rules
from .facts.recovery import POSTGRES_REPLICA_TAG
from .interfaces import (
    CustomerManagedKeyArgs,
    DataComponent,
    DataInterfaceArgs,
    ManagedIdentitiesArgs,
    data_tags,
    key_identity_refusal,
    stateful,
)

# Azure moves the zones on an HA failover; follow Azure rather than fight it on every `pulumi up`. After a
# promotion Azure stops reporting the source server and reports a new replication role: those must never turn
# into a replacement on the next `up` (``sourceServerResourceId`` and ``pointInTimeUTC`` are create-only:
# azure-native-replace.json), whatever a refresh reads back. Storage autogrow doubles the disk on its own and
# storage only scales up (Learn, "Storage options in Azure Database for PostgreSQL - Flexible Server"): the size
# is sent when the server is created and then follows Azure, so no full PUT ever asks Azure to shrink the disk
# (a resize is `az postgres flexible-server update --storage-size`, replica first).
IGNORED_DRIFT = [
    "availabilityZone",
    "highAvailability.standbyAvailabilityZone",
    "sourceServerResourceId",
    "pointInTimeUTC",
    "replicationRole",
    "storage.storageSizeGB",
]

ServerState = Literal["new", "primary", "replica", "promoting"]
HighAvailability = Literal["ZoneRedundant", "SameZone", "Disabled"]

# Learn, "Promote read replicas in Azure Database for PostgreSQL": a forced promotion does not wait for the
# primary (regional outage, accepts the replication lag as data loss) and leaves replication (Standalone); a
# planned one waits for the replica to catch up and swaps the roles (Switchover: "promote to primary server"),
# which needs a virtual endpoint whose reader is the replica. The runbook sends them with `az postgres
# flexible-server replica promote --promote-mode M --promote-option O` (azure-cli rdbms: lower-case values).
PROMOTE_MODES: dict[str, tuple[str, str]] = {"forced": ("Standalone", "Forced"), "planned": ("Switchover", "Planned")}


@dataclass(frozen=True, kw_only=True)
class EntraAdministratorArgs:
    """The Entra group or identity that administers an Entra-only server (without one nobody can sign in)."""

    object_id: pulumi.Input[str]
    principal_name: pulumi.Input[str]
    principal_type: Literal["Group", "User", "ServicePrincipal"] = "Group"


@dataclass(frozen=True, kw_only=True)
class PostgresServerArgs(DataInterfaceArgs):
    """One server generation: Entra-only, private, geo-backed-up and zone-redundant unless told otherwise.

    Create-only in Azure (changing them replaces the server, so never switch them on a live one):
    ``server_name``, ``location``, ``replica_of``, ``version`` downgrades, ``customer_managed_key``. The
    lifecycle step (``state``) decides what a deployment sends, so promotion and failback are updates.
    """

    server_name: str
    tenant_id: pulumi.Input[str]
    """The Entra tenant that signs users in (password authentication is off)."""
    entra_administrator: EntraAdministratorArgs | None = None
    """Required for a server created as a primary; a replica inherits its source's administrators."""
    replica_of: PostgresServer | pulumi.Input[str] | None = None
    """The server (or its resource id, e.g. a peer stack's export) this one was created as a read replica of.
    Never changes for a generation. Default: ``None``, a server created as a primary."""
    state: ServerState = "new"
    """Lifecycle step: ``new`` creates it (``createMode`` Create or Replica); ``primary``/``replica`` is an existing
    server (``createMode`` Update); ``promoting``: the runbook has just promoted it (declared as a primary).
    Default: ``new``."""
    promotion: Literal["forced", "planned"] | None = None
    """How a ``promoting`` server was promoted: forced = Standalone/Forced, planned = Switchover/Planned."""
    version: str = "16"
    """PostgreSQL major version (13-17); a replica inherits its source's and sends none. Default: 16."""
    sku_name: str = "Standard_D4ds_v5"
    """Compute size. A replica should be at least its source's size (the policy pack checks the pair)."""
    sku_tier: Literal["GeneralPurpose", "MemoryOptimized", "Burstable"] = "GeneralPurpose"
    """Default: ``GeneralPurpose``; ``Burstable`` has no HA."""
    storage_size_gb: int = 128
    """The size the server is created with; storage auto-grows and the size then follows Azure (never shrunk)."""
    backup_retention_days: int = 35
    """7-35; default: 35, the longest PostgreSQL keeps point-in-time backups."""
    geo_redundant_backup: Literal["Enabled", "Disabled"] | None = None
    """Default: ``Enabled`` for a primary (backups also in the paired region); ``Disabled`` for a replica, which
    has none. Create-only in Azure."""
    high_availability: HighAvailability | None = None
    """Default: ``ZoneRedundant`` for a non-Burstable server that serves writes in its own right (created as a
    primary, or a replica once ``state`` is ``primary``) in a region with zones, else ``Disabled``."""
    cross_region_replica: bool = False
    """A read replica of this server is kept in another region (by that region's program): the server is tagged
    ``postgres-replica`` so the policy pack looks for it. Default: tagged ``postgres-geo-backup``."""
    managed_identities: ManagedIdentitiesArgs | None = None
    """System-assigned or user-assigned (the API takes one type, not both). Default: none."""
    delegated_subnet_id: pulumi.Input[str] | None = None
    """VNet integration: the subnet (delegated to ``Microsoft.DBforPostgreSQL/flexibleServers``) the server lives
    in, instead of a private endpoint. Only when the server is created. Default: none (private endpoints)."""
    private_dns_zone_id: pulumi.Input[str] | None = None
    """VNet integration: the private DNS zone Azure registers the server's name in (linked to every network that
    reaches it). Required with ``delegated_subnet_id``."""
    customer_managed_key: CustomerManagedKeyArgs | None = None
    """Data encryption with your key; only when the server is created (Learn, "Data encryption with
    customer-managed keys in Azure Database for PostgreSQL"). With geo-redundant backup, also give
    ``geo_backup_key_uri`` (a key in the paired region). Default: service-managed keys."""


def _network(args: PostgresServerArgs) -> pg.NetworkArgs:
    """Private either way: VNet integration (a delegated subnet and its zone, set when the server is created; such
    a server has no public access to turn off) or public access off, reached through private endpoints (Learn,
    "Networking overview for Azure Database for PostgreSQL flexible server")."""
    if args.delegated_subnet_id is not None:
        return pg.NetworkArgs(
            delegated_subnet_resource_id=args.delegated_subnet_id,
            private_dns_zone_arm_resource_id=args.private_dns_zone_id,
        )
    return pg.NetworkArgs(public_network_access="Disabled")


def _replicating(args: PostgresServerArgs) -> bool:
    """A read replica now: being created as one, or replicating (created as one, or demoted by a switchover).
    Learn, "Read replicas in Azure Database for PostgreSQL": backups and HA are unsupported on a replica."""
    return args.state == "replica" or (args.state == "new" and args.replica_of is not None)


def _refusal(args: PostgresServerArgs) -> rules.Refusal | None:
    replica = args.replica_of is not None
    found = rules.postgres(
        replica=replica,
        promoted=args.state in ("primary", "promoting"),
        geo_redundant_backup=args.geo_redundant_backup,
        high_availability=args.high_availability,
        sku_tier=args.sku_tier,
        region=args.location,
    )
    if found is not None:
        return found
    if args.state == "promoting" and args.promotion is None:
        return rules.Refusal("promotion", None, "forced or planned with state=promoting")
    if not replica and args.entra_administrator is None:
        return rules.Refusal("entra_administrator", None, "an Entra group or identity (password auth is off)")
    if (args.delegated_subnet_id is None) != (args.private_dns_zone_id is None):
        return rules.Refusal(
            "private_dns_zone_id",
            None,
            "both delegated_subnet_id and private_dns_zone_id (VNet integration), or neither",
        )
    if args.delegated_subnet_id is not None and args.private_endpoints:
        return rules.Refusal("private_endpoints", "set", "none with delegated_subnet_id (a VNet-integrated server)")
    mi = args.managed_identities
    if mi is not None and mi.system_assigned and mi.user_assigned_resource_ids:
        # REST API 2025-08-01, IdentityType: "UserAssigned" | "SystemAssigned" (azure-native enum).
        return rules.Refusal("managed_identities", "both", "system-assigned or user-assigned identities, not both")
    cmk = args.customer_managed_key
    if cmk is not None:
        if (missing := key_identity_refusal(cmk, mi)) is not None:
            return missing
        if _geo_backup(args) == "Enabled" and cmk.geo_backup_key_uri is None:
            return rules.Refusal(
                "customer_managed_key.geo_backup_key_uri", None, "a key in the paired region (geo-redundant backup)"
            )
    return None


def _geo_backup(args: PostgresServerArgs) -> Literal["Enabled", "Disabled"]:
    if args.geo_redundant_backup is not None:
        return args.geo_redundant_backup
    return "Disabled" if args.replica_of is not None else "Enabled"


def _identity(mi: ManagedIdentitiesArgs | None) -> pg.UserAssignedIdentityArgs | None:
    if mi is None or not mi.any:
        return None
    if mi.system_assigned:
        return pg.UserAssignedIdentityArgs(type="SystemAssigned")
    ids: Sequence[pulumi.Input[str]] = mi.user_assigned_resource_ids
    return pg.UserAssignedIdentityArgs(
        type="UserAssigned",
        user_assigned_identities=pulumi.Output.all(*ids).apply(
            lambda rids: {rid: pg.UserIdentityArgs() for rid in rids}
        ),
    )


def _encryption(args: PostgresServerArgs) -> pg.DataEncryptionArgs | None:
    cmk = args.customer_managed_key
    if cmk is None:
        return None
    return pg.DataEncryptionArgs(
        type="AzureKeyVault",
        primary_key_uri=cmk.key_uri,
        primary_user_assigned_identity_id=cmk.user_assigned_identity_resource_id,
        geo_backup_key_uri=cmk.geo_backup_key_uri,
        geo_backup_user_assigned_identity_id=cmk.geo_backup_user_assigned_identity_resource_id,
    )


class PostgresServer(DataComponent):
    """One region's server generation: a primary, or a read replica of ``replica_of``.

    Create-only inputs (name, location, ``source_server_resource_id``) depend only on ``replica_of``, never on a
    DR role; ``createMode`` follows ``state``, so promotion and failback are updates, not replacements.
    """

    server: pg.Server
    entra_administrator: pg.AdministratorsMicrosoftEntra | None
    server_id: pulumi.Output[str]
    server_name: pulumi.Output[str]
    fqdn: pulumi.Output[str]

    def __init__(self, name: str, args: PostgresServerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        rules.refuse("PostgresServer", name, _refusal(args))
        super().__init__("azure-dr:postgres:PostgresServer", name, None, opts)
        i = args
        replica = args.replica_of is not None
        source = args.replica_of.server_id if isinstance(args.replica_of, PostgresServer) else args.replica_of
        # A server manages its own backup and HA only while it serves writes; while it replicates it declares
        # what a replica has (the replica-create example sends neither block) and nothing more.
        replicating = _replicating(args)
        ha_mode = args.high_availability or rules.postgres_ha_default(
            replica=replicating, sku_tier=args.sku_tier, region=args.location
        )
        server = pg.Server(
            f"{name}-server",
            server_name=args.server_name,
            resource_group_name=i.resource_group_name,
            location=i.location,
            create_mode=_create_mode(replica, args.state),
            source_server_resource_id=source,
            # The spec's replica-create example sends only location, identity, createMode and the source
            # (ServerCreateReplica.json, 2025-08-01); Learn ("Read replicas in Azure Database for PostgreSQL")
            # says a replica inherits version, auth and admins and supports neither HA nor geo-backup. Compute
            # and storage may differ (a replica is scaled up before its primary).
            version=None if replica else args.version,
            sku=pg.SkuArgs(name=args.sku_name, tier=args.sku_tier),
            storage=pg.StorageArgs(storage_size_gb=args.storage_size_gb, auto_grow="Enabled"),
            backup=None
            if replicating
            else pg.BackupArgs(
                backup_retention_days=args.backup_retention_days,
                geo_redundant_backup=_geo_backup(args),
            ),
            high_availability=None if replicating else pg.HighAvailabilityArgs(mode=ha_mode),
            auth_config=None
            if replica
            else pg.AuthConfigArgs(active_directory_auth="Enabled", password_auth="Disabled", tenant_id=args.tenant_id),
            network=_network(args),
            identity=_identity(args.managed_identities),
            data_encryption=_encryption(args),
            tags={
                **data_tags(
                    i.tags, "postgres-replica" if replica or args.cross_region_replica else "postgres-geo-backup"
                ),
                **({POSTGRES_REPLICA_TAG: "true"} if replicating else {}),
            },
            opts=stateful(self, ignore_changes=IGNORED_DRIFT, removal_policy=args.removal_policy),
        )
        self.entra_administrator = None
        if not replica:
            # A replica inherits its administrators from the source server.
            admin = args.entra_administrator
            assert admin is not None  # refused above
            self.entra_administrator = pg.AdministratorsMicrosoftEntra(
                f"{name}-entra-admin",
                resource_group_name=i.resource_group_name,
                server_name=server.name,
                object_id=admin.object_id,
                principal_name=admin.principal_name,
                principal_type=admin.principal_type,
                tenant_id=args.tenant_id,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.apply_interfaces(name, server, args, private_link_group="postgresqlServer")
        self.server = server
        self.server_id = server.id
        self.server_name = server.name
        self.fqdn = server.fully_qualified_domain_name
        self.register_outputs(
            {
                "server_id": self.server_id,
                "server_name": self.server_name,
                "fqdn": self.fqdn,
                **self.interface_outputs(),
            }
        )


def _create_mode(replica: bool, state: ServerState) -> str:
    if state == "new":
        return "Replica" if replica else "Create"
    return "Update"


@dataclass(frozen=True, kw_only=True)
class PostgresWriterEndpointArgs:
    """The writer virtual endpoint of a replication pair, declared under the pair's current primary server."""

    endpoint_name: str
    primary_server_name: pulumi.Input[str]
    """The server that is the pair's primary now: Azure manages the endpoint in its context."""
    resource_group_name: pulumi.Input[str]
    """The primary server's resource group."""
    replica_server_name: pulumi.Input[str]
    adopt_id: str | None = None
    """The endpoint's resource id when a switchover has just moved it under ``primary_server_name``: the
    deployment adopts it (a Pulumi import, no write) instead of creating it. Default: none (create)."""


class PostgresWriterEndpoint(pulumi.ComponentResource):
    """Learn, "Virtual endpoints for read replicas": one writer endpoint per pair; it follows "promote to primary
    server" (Switchover, which needs it) and every add, edit or removal happens in the context of the current
    primary (reading it through the non-primary answers 400: terraform-provider-azurerm #30789).

    So the stack whose server is the pair's primary declares it, under its own server: after a switchover the
    demoted stack stops declaring it (``retain_on_delete``: Pulumi forgets it, no call) and the new primary's
    stack adopts it (``adopt_id``). A forced (Standalone) promotion ends the pair: the endpoint stays under the
    old primary in Azure and Pulumi forgets it the same way.
    """

    writer_host: pulumi.Output[str]

    def __init__(self, name: str, args: PostgresWriterEndpointArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:postgres:PostgresWriterEndpoint", name, None, opts)
        endpoint = pg.VirtualEndpoint(
            f"{name}-vep",
            virtual_endpoint_name=args.endpoint_name,
            server_name=args.primary_server_name,
            resource_group_name=args.resource_group_name,
            endpoint_type=pg.VirtualEndpointType.READ_WRITE,
            members=[args.replica_server_name],
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True, import_=args.adopt_id),
        )
        self.writer_host = endpoint.virtual_endpoints.apply(lambda hosts: hosts[0] if hosts else "")
        self.register_outputs({"writer_host": self.writer_host})
