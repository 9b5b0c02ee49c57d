"""PostgreSQL flexible server: an Entra-only primary with geo-backup and zone-redundant HA, or its DR replica."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import dbforpostgresql as pg

from components.config import StackConfig
from components.interfaces import DataInterfaces, data_tags, protect_data, stateful

# Azure moves the zones on an HA failover; follow Azure rather than fight it on every `pulumi up`.
ZONE_DRIFT = ["availabilityZone", "highAvailability.standbyAvailabilityZone"]


@dataclass(frozen=True)
class PostgresArgs:
    server_name: str
    config: StackConfig
    tenant_id: pulumi.Input[str]
    interfaces: DataInterfaces
    source_server_id: pulumi.Input[str] | None = None


class PostgresServer(pulumi.ComponentResource):
    """One region's server. ``create_as=replica`` makes it a read replica of ``source_server_id``.

    Create-only inputs (name, location, ``create_mode``, ``source_server_resource_id``) depend only on
    ``create_as``, never on the role, so promotion and failback are updates, not replacements.
    """

    server_id: pulumi.Output[str]
    server_name: pulumi.Output[str]
    fqdn: pulumi.Output[str]

    def __init__(self, name: str, args: PostgresArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:postgres:PostgresServer", name, None, opts)
        cfg, i = args.config, args.interfaces
        replica = cfg.postgres.create_as == "replica"
        if replica and args.source_server_id is None:
            raise ValueError("a replica server needs source_server_id (the peer stack's postgres_server_id)")
        ha_mode = cfg.postgres_ha_mode
        server = pg.Server(
            f"{name}-server",
            server_name=args.server_name,
            resource_group_name=i.resource_group_name,
            location=i.location,
            version=cfg.postgres.version,
            sku=pg.SkuArgs(name=cfg.postgres.sku_name, tier=cfg.postgres.sku_tier),
            create_mode="Replica" if replica else "Create",
            source_server_resource_id=args.source_server_id if replica else None,
            storage=pg.StorageArgs(storage_size_gb=cfg.postgres.storage_size_gb, auto_grow="Enabled"),
            backup=pg.BackupArgs(
                backup_retention_days=cfg.postgres_retention_days,
                geo_redundant_backup=cfg.postgres_geo_backup,
            ),
            high_availability=pg.HighAvailabilityArgs(mode=ha_mode),
            auth_config=pg.AuthConfigArgs(
                active_directory_auth="Enabled", password_auth="Disabled", tenant_id=args.tenant_id
            ),
            network=pg.NetworkArgs(public_network_access="Disabled"),
            identity=pg.UserAssignedIdentityArgs(
                type="UserAssigned",
                user_assigned_identities=pulumi.Output.from_input(i.identity_id).apply(
                    lambda rid: {rid: pg.UserIdentityArgs()}
                ),
            )
            if i.identity_id is not None
            else None,
            tags=data_tags(i, cfg.postgres_dr_mechanism),
            opts=stateful(self, ignore_changes=ZONE_DRIFT),
        )
        if not replica:
            # A replica inherits its administrators from the source server.
            admin = cfg.postgres.entra_admin
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
            private_endpoint=cfg.postgres.private_endpoint,
            private_link_group="postgresqlServer",
        )
        self.server_id = server.id
        self.server_name = server.name
        self.fqdn = server.fully_qualified_domain_name
        self.register_outputs({"server_id": self.server_id, "fqdn": self.fqdn})
