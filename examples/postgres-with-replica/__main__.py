"""orders-db: a PostgreSQL primary, its read replica in the paired region, and a Key Vault for the app's secrets.

A program of its own (not one of azure-dr's stacks): it builds its resource groups itself and uses the
components through their public args only. Every component is locked, private and Entra-only by default.
"""

import pulumi
from pulumi_azure_native import authorization, resources

from azure_dr.components import (
    EntraAdministratorArgs,
    KeyVault,
    KeyVaultArgs,
    PostgresServer,
    PostgresServerArgs,
    RoleAssignmentArgs,
)

config = pulumi.Config()
primary_region = config.require("primaryRegion")
replica_region = config.require("replicaRegion")
tenant_id = authorization.get_client_config_output().tenant_id

primary_rg = resources.ResourceGroup("primary", resource_group_name="rg-orders-uks", location=primary_region)
replica_rg = resources.ResourceGroup("replica", resource_group_name="rg-orders-ukw", location=replica_region)

writer = PostgresServer(
    "orders-db",
    PostgresServerArgs(
        server_name="psql-orders-uks",
        resource_group_name=primary_rg.name,
        location=primary_region,
        tenant_id=tenant_id,
        entra_administrator=EntraAdministratorArgs(
            object_id=config.require("adminGroupObjectId"), principal_name=config.require("adminGroupName")
        ),
        sku_name="Standard_D2ds_v5",
        cross_region_replica=True,  # the replica below; geo-backup and zone-redundant HA are on by default
    ),
)
replica = PostgresServer(
    "orders-db-replica",
    PostgresServerArgs(
        server_name="psql-orders-ukw",
        resource_group_name=replica_rg.name,
        location=replica_region,
        tenant_id=tenant_id,
        replica_of=writer,
        sku_name="Standard_D2ds_v5",
    ),
)
vault = KeyVault(
    "orders-kv",
    KeyVaultArgs(
        vault_name="kv-orders-uks",
        resource_group_name=primary_rg.name,
        location=primary_region,
        tenant_id=tenant_id,
        role_assignments={
            "app-secrets": RoleAssignmentArgs(
                role_definition_id_or_name="Key Vault Secrets User",
                principal_id=config.require("appPrincipalId"),
                principal_type="ServicePrincipal",
            )
        },
    ),
)

pulumi.export("writer_fqdn", writer.fqdn)
pulumi.export("replica_fqdn", replica.fqdn)
pulumi.export("replica_source_id", replica.server.source_server_resource_id)
pulumi.export("vault_uri", vault.vault_uri)
