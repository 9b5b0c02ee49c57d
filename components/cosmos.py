"""Cosmos DB: one account in both regions, owned by the global-owner stack.

Failover priorities follow the active region, so after a service-managed failover (or the runbook's
``az cosmosdb failover-priority-change``) and the matching config switch, ``pulumi up`` converges with no change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pulumi_azure_native import cosmosdb

from . import rules
from .facts.regions import has_zones
from .interfaces import (
    CustomerManagedKeyArgs,
    DataComponent,
    DataInterfaceArgs,
    ManagedIdentitiesArgs,
    data_tags,
    fixed_output,
    key_identity_refusal,
    stateful,
)

_KIND = {"NoSQL": "GlobalDocumentDB", "Gremlin": "GlobalDocumentDB", "MongoDB": "MongoDB"}
PRIVATE_LINK_GROUP = {"NoSQL": "Sql", "Gremlin": "Gremlin", "MongoDB": "MongoDB"}


@dataclass(frozen=True, kw_only=True)
class CosmosContainerArgs:
    """A container (NoSQL), collection (MongoDB) or graph (Gremlin)."""

    name: str
    partition_key: str = "/id"


@dataclass(frozen=True, kw_only=True)
class CosmosDatabaseArgs:
    name: str
    containers: Sequence[CosmosContainerArgs] = ()


@dataclass(frozen=True, kw_only=True)
class CosmosAccountArgs(DataInterfaceArgs):
    """A Cosmos DB account that fails over by itself: service-managed failover, continuous backup, Entra-only
    (NoSQL), private, zone redundant wherever the region has zones. ``location`` is the account's ARM region."""

    account_name: str
    write_region: str
    """The region that takes writes (failover priority 0)."""
    failover_region: str | None = None
    """The region writes move to when ``write_region`` is lost (priority 1). ``None``: a single-region account,
    with no regional DR (the policy pack refuses it for production)."""
    api: Literal["NoSQL", "MongoDB", "Gremlin"] = "NoSQL"
    """Default: NoSQL, the only API with Entra data-plane auth (local keys are then off)."""
    backup_tier: Literal["Continuous30Days", "Continuous7Days"] = "Continuous30Days"
    """Continuous backup: point-in-time restore over the last 30 days (default) or 7."""
    consistency: Literal["Session", "BoundedStaleness", "Strong", "ConsistentPrefix", "Eventual"] = "Session"
    """Default: Session. ``Strong`` makes a regional failover lose no writes (at a latency cost)."""
    databases: Sequence[CosmosDatabaseArgs] = ()
    """Databases and their containers, protected like the account. Default: none."""
    managed_identities: ManagedIdentitiesArgs | None = None
    """The identities the resource runs as (system-assigned and/or user-assigned). Default: none."""
    customer_managed_key: CustomerManagedKeyArgs | None = None
    """Account encryption with your key, read through ``default_identity`` (Learn, "Configure customer-managed
    keys for your Azure Cosmos DB account"). Default: service-managed keys."""


def _refusal(args: CosmosAccountArgs) -> rules.Refusal | None:
    for key, region in (("write_region", args.write_region), ("failover_region", args.failover_region)):
        if region is not None and (found := rules.known_region(region, key)) is not None:
            return found
    if args.failover_region == args.write_region:
        return rules.Refusal("failover_region", args.failover_region, f"a region other than {args.write_region}")
    return key_identity_refusal(args.customer_managed_key, args.managed_identities)


def _identity(mi: ManagedIdentitiesArgs | None) -> cosmosdb.ManagedServiceIdentityArgs | None:
    if mi is None or not mi.any:
        return None
    return cosmosdb.ManagedServiceIdentityArgs(
        type=cosmosdb.ResourceIdentityType(mi.type_name("SystemAssigned,UserAssigned")),
        user_assigned_identities=list(mi.user_assigned_resource_ids) or None,
    )


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


class CosmosAccount(DataComponent):
    """The account, its databases and containers; Entra-only for NoSQL, private, continuously backed up."""

    account: cosmosdb.DatabaseAccount
    databases: dict[str, pulumi.CustomResource]
    containers: dict[str, pulumi.CustomResource]
    account_name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    account_id: pulumi.Output[str]

    def __init__(self, name: str, args: CosmosAccountArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        rules.refuse("CosmosAccount", name, _refusal(args))
        super().__init__("azure-dr:cosmos:CosmosAccount", name, None, opts)
        c = i = args
        cmk = args.customer_managed_key
        account = cosmosdb.DatabaseAccount(
            f"{name}-account",
            account_name=args.account_name,
            resource_group_name=i.resource_group_name,
            location=i.location,
            kind=_KIND[c.api],
            database_account_offer_type=cosmosdb.DatabaseAccountOfferType.STANDARD,
            locations=failover_locations(args.write_region, args.failover_region),
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
            identity=_identity(args.managed_identities),
            key_vault_key_uri=cmk.key_uri if cmk is not None else None,
            default_identity=pulumi.Output.concat("UserAssignedIdentity=", cmk.user_assigned_identity_resource_id)
            if cmk is not None
            else None,
            tags=data_tags(
                i.tags, "cosmos-strong-failover" if c.consistency == "Strong" else "cosmos-service-managed-failover"
            ),
            opts=stateful(self, removal_policy=args.removal_policy),
        )
        self.databases, self.containers = {}, {}
        self._databases(name, args, account)
        self.apply_interfaces(name, account, args, private_link_group=PRIVATE_LINK_GROUP[c.api])
        self.account = account
        self.account_name = fixed_output(account, args.account_name)
        self.account_id = account.id
        # Learn, "Azure Cosmos DB account" endpoint (https://<account>.documents.azure.com:443/), public cloud.
        self.endpoint = fixed_output(account, f"https://{args.account_name}.documents.azure.com:443/")
        self.register_outputs(
            {
                "account_id": self.account_id,
                "account_name": self.account_name,
                "endpoint": self.endpoint,
                **self.interface_outputs(),
            }
        )

    def _databases(self, name: str, args: CosmosAccountArgs, account: cosmosdb.DatabaseAccount) -> None:
        """Databases and containers hold the data too: protected like the account."""
        api = _API_RESOURCES[args.api]
        rg = args.resource_group_name
        for db in args.databases:
            base = f"{name}-{db.name}"
            database = self.databases[db.name] = api.database(
                base,
                account_name=account.name,
                resource_group_name=rg,
                database_name=db.name,
                resource=api.database_resource(db.name),
                opts=stateful(self, removal_policy=args.removal_policy),
            )
            for ct in db.containers:
                self.containers[f"{db.name}/{ct.name}"] = api.container(
                    f"{base}-{ct.name}",
                    account_name=account.name,
                    resource_group_name=rg,
                    database_name=database.name,
                    resource=api.container_resource(ct),
                    opts=stateful(self, removal_policy=args.removal_policy),
                    **{api.container_name_arg: ct.name},
                )


def _partition_key(container: CosmosContainerArgs) -> cosmosdb.ContainerPartitionKeyArgs:
    return cosmosdb.ContainerPartitionKeyArgs(paths=[container.partition_key], kind="Hash")


@dataclass(frozen=True)
class _ApiResources:
    """The database and container resource types of one Cosmos API."""

    database: Callable[..., Any]
    database_resource: Callable[[str], Any]
    container: Callable[..., Any]
    container_name_arg: str
    container_resource: Callable[[CosmosContainerArgs], Any]


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
