"""Cosmos DB: one account in both regions, owned by the global-owner stack.

Failover priorities follow the active region, so after a service-managed failover (or the runbook's
``az cosmosdb failover-priority-change``) and the matching config switch, ``pulumi up`` converges with no change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_azure_native import cosmosdb

from components.config import Cosmos as CosmosConfig
from components.config import CosmosContainer
from components.interfaces import DataInterfaces, data_tags, protect_data, stateful
from components.regions import has_zones

_KIND = {"NoSQL": "GlobalDocumentDB", "Gremlin": "GlobalDocumentDB", "MongoDB": "MongoDB"}
_PRIVATE_LINK_GROUP = {"NoSQL": "Sql", "Gremlin": "Gremlin", "MongoDB": "MongoDB"}


@dataclass(frozen=True)
class CosmosArgs:
    account_name: str
    active_region: str
    standby_region: str | None
    config: CosmosConfig
    interfaces: DataInterfaces


def failover_locations(active_region: str, standby_region: str | None) -> list[cosmosdb.LocationArgs]:
    """The write region (priority 0) is the active one; zone redundancy wherever the region offers it.

    ``standby_region=None`` gives a single-region account (``cosmos.multi_region: false``, e.g. a dev stack);
    the policy pack's ``cosmos-multi-region`` rule refuses it for production.
    """
    regions = [active_region] if standby_region is None else [active_region, standby_region]
    return [
        cosmosdb.LocationArgs(location_name=region, failover_priority=priority, is_zone_redundant=has_zones(region))
        for priority, region in enumerate(regions)
    ]


class CosmosAccount(pulumi.ComponentResource):
    """The account, its databases and containers; Entra-only for NoSQL, private, continuously backed up."""

    account_name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    account_id: pulumi.Output[str]

    def __init__(self, name: str, args: CosmosArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-dr:cosmos:CosmosAccount", name, None, opts)
        c, i = args.config, args.interfaces
        account = cosmosdb.DatabaseAccount(
            f"{name}-account",
            account_name=args.account_name,
            resource_group_name=i.resource_group_name,
            location=i.location,
            kind=_KIND[c.api],
            database_account_offer_type=cosmosdb.DatabaseAccountOfferType.STANDARD,
            locations=failover_locations(args.active_region, args.standby_region),
            enable_automatic_failover=True,
            enable_multiple_write_locations=False,
            consistency_policy=cosmosdb.ConsistencyPolicyArgs(
                default_consistency_level=cosmosdb.DefaultConsistencyLevel(c.consistency),
                max_interval_in_seconds=300 if c.consistency == "BoundedStaleness" else None,
                max_staleness_prefix=100000 if c.consistency == "BoundedStaleness" else None,
            ),
            backup_policy=cosmosdb.ContinuousModeBackupPolicyArgs(
                type="Continuous",
                continuous_mode_properties=cosmosdb.ContinuousModePropertiesArgs(
                    tier=cosmosdb.ContinuousTier(c.backup_tier)
                ),
            ),
            capabilities=[cosmosdb.CapabilityArgs(name="EnableGremlin")] if c.api == "Gremlin" else None,
            api_properties=cosmosdb.ApiPropertiesArgs(server_version=cosmosdb.ServerVersion.SERVER_VERSION_7_0)
            if c.api == "MongoDB"
            else None,
            # NoSQL has Entra data-plane RBAC; MongoDB (RU) and Gremlin accounts still need keys.
            disable_local_auth=c.api == "NoSQL",
            disable_key_based_metadata_write_access=True,
            public_network_access=cosmosdb.PublicNetworkAccess.DISABLED,
            minimal_tls_version=cosmosdb.MinimalTlsVersion.TLS12,
            network_acl_bypass=cosmosdb.NetworkAclBypass.NONE,
            tags=data_tags(
                i, "cosmos-strong-failover" if c.consistency == "Strong" else "cosmos-service-managed-failover"
            ),
            opts=stateful(self),
        )
        self._databases(name, args, account)
        protect_data(
            self, name, account, i, private_endpoint=c.private_endpoint, private_link_group=_PRIVATE_LINK_GROUP[c.api]
        )
        self.account_name = account.name
        self.account_id = account.id
        self.endpoint = account.document_endpoint
        self.register_outputs({"account_name": self.account_name, "endpoint": self.endpoint})

    def _databases(self, name: str, args: CosmosArgs, account: cosmosdb.DatabaseAccount) -> None:
        """Databases and containers hold the data too: protected like the account."""
        api = _API_RESOURCES[args.config.api]
        rg = args.interfaces.resource_group_name
        for db in args.config.databases:
            base = f"{name}-{db.name}"
            database = api.database(
                base,
                account_name=account.name,
                resource_group_name=rg,
                database_name=db.name,
                resource=api.database_resource(db.name),
                opts=stateful(self),
            )
            for ct in db.containers:
                api.container(
                    f"{base}-{ct.name}",
                    account_name=account.name,
                    resource_group_name=rg,
                    database_name=database.name,
                    resource=api.container_resource(ct),
                    opts=stateful(self),
                    **{api.container_name_arg: ct.name},
                )


def _partition_key(container: CosmosContainer) -> cosmosdb.ContainerPartitionKeyArgs:
    return cosmosdb.ContainerPartitionKeyArgs(paths=[container.partition_key], kind="Hash")


@dataclass(frozen=True)
class _ApiResources:
    """The database and container resource types of one Cosmos API."""

    database: Callable[..., Any]
    database_resource: Callable[[str], Any]
    container: Callable[..., Any]
    container_name_arg: str
    container_resource: Callable[[CosmosContainer], Any]


_API_RESOURCES: dict[str, _ApiResources] = {
    "NoSQL": _ApiResources(
        cosmosdb.SqlResourceSqlDatabase,
        lambda n: cosmosdb.SqlDatabaseResourceArgs(id=n),
        cosmosdb.SqlResourceSqlContainer,
        "container_name",
        lambda c: cosmosdb.SqlContainerResourceArgs(id=c.name, partition_key=_partition_key(c)),
    ),
    "MongoDB": _ApiResources(
        cosmosdb.MongoDBResourceMongoDBDatabase,
        lambda n: cosmosdb.MongoDBDatabaseResourceArgs(id=n),
        cosmosdb.MongoDBResourceMongoDBCollection,
        "collection_name",
        lambda c: cosmosdb.MongoDBCollectionResourceArgs(id=c.name, shard_key={c.partition_key.lstrip("/"): "Hash"}),
    ),
    "Gremlin": _ApiResources(
        cosmosdb.GremlinResourceGremlinDatabase,
        lambda n: cosmosdb.GremlinDatabaseResourceArgs(id=n),
        cosmosdb.GremlinResourceGremlinGraph,
        "graph_name",
        lambda c: cosmosdb.GremlinGraphResourceArgs(id=c.name, partition_key=_partition_key(c)),
    ),
}
