"""One stack's region: the foundation and every data service, wired to the peer stack's contract."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_azure_native import authorization

from components.config import StackConfig
from components.contract import PeerContract
from components.foundation import FoundationArgs, RegionalFoundation
from components.interfaces import DataInterfaces
from components.keyvault import KeyVault, KeyVaultArgs
from components.naming import Names
from components.postgres import PostgresArgs, PostgresServer
from components.storage import GeoStorage, GeoStorageArgs


@dataclass(frozen=True)
class DrRegionArgs:
    config: StackConfig
    peer: PeerContract | None = None


class DrRegion(pulumi.ComponentResource):
    """Everything one stack owns in its region; ``contract`` holds the outputs the peer stack reads."""

    contract: dict[str, pulumi.Input[Any]]

    def __init__(self, name: str, args: DrRegionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:region:DrRegion", name, None, opts)
        cfg = args.config
        names = Names(cfg.workload, cfg.environment, cfg.region)
        tags = {"workload": cfg.workload, "environment": cfg.environment, "dr-role": cfg.role, **cfg.tags}
        child = pulumi.ResourceOptions(parent=self)
        tenant_id = authorization.get_client_config_output().tenant_id

        foundation = RegionalFoundation(
            f"{name}-foundation",
            FoundationArgs(names=names, location=cfg.region, monitoring=cfg.monitoring, tags=tags),
            opts=child,
        )
        interfaces = DataInterfaces(
            resource_group_name=foundation.resource_group_name,
            location=cfg.region,
            tags=tags,
            lock=cfg.locks,
            workspace_id=foundation.workspace_id if cfg.monitoring.diagnostics else None,
            identity_id=foundation.identity_id,
        )
        vault = KeyVault(
            f"{name}-kv",
            KeyVaultArgs(vault_name=names.key_vault, tenant_id=tenant_id, config=cfg.keyvault, interfaces=interfaces),
            opts=child,
        )
        source_id = args.peer.get("postgres_server_id") if args.peer is not None else None
        postgres = PostgresServer(
            f"{name}-psql",
            PostgresArgs(
                server_name=names.postgres(cfg.postgres.generation),
                config=cfg,
                tenant_id=tenant_id,
                interfaces=interfaces,
                source_server_id=source_id if cfg.postgres.create_as == "replica" else None,
            ),
            opts=child,
        )
        storage = GeoStorage(
            f"{name}-st",
            GeoStorageArgs(account_name=names.storage_account, config=cfg.storage, interfaces=interfaces),
            opts=child,
        )
        self.contract = {
            "role": cfg.role,
            "region": cfg.region,
            "resource_group_name": foundation.resource_group_name,
            "owns_global": cfg.owns_global,
            "postgres_server_id": postgres.server_id,
            "postgres_server_name": postgres.server_name,
            "postgres_fqdn": postgres.fqdn,
            "key_vault_uri": vault.vault_uri,
            "storage_account_id": storage.account_id,
            "log_analytics_workspace_id": foundation.workspace_id,
        }
        self.register_outputs(self.contract)
