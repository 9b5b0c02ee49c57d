"""The components used on their own: their args refuse what Azure refuses (with the config model's rules), the
AVM interfaces land on the resource, children are exposed, and only the composer knows the stack config."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable
from typing import Any

import pytest

import azure_dr.components as components
from azure_dr.cli.engine.programs import ROOT
from azure_dr.components import (
    ContainerRegistry,
    ContainerRegistryArgs,
    CosmosAccount,
    CosmosAccountArgs,
    CosmosContainerArgs,
    CosmosDatabaseArgs,
    CustomerManagedKeyArgs,
    DiagnosticSettingsArgs,
    EntraAdministratorArgs,
    GeoStorage,
    GeoStorageArgs,
    InvalidArgs,
    LockArgs,
    ManagedIdentitiesArgs,
    PostgresServer,
    PostgresServerArgs,
    PrivateEndpointArgs,
    RedisCache,
    RedisCacheArgs,
    RedisPersistenceArgs,
    RoleAssignmentArgs,
    TrafficManagerGlobalArgs,
)
from azure_dr.components.stack.config import ConfigError, parse_config
from tests.component_harness import by_name, run_program
from tests.helpers import stack_value

RG = "/subscriptions/0000/resourceGroups/rg-app"
SUBNET = f"{RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/data"
ZONE = f"{RG}/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net"
UAI = f"{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-app"
ADMIN = EntraAdministratorArgs(object_id="6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", principal_name="sg-admins")


def pg(**kw: Any) -> PostgresServerArgs:
    base: dict[str, Any] = dict(
        server_name="psql-a", resource_group_name="rg-app", location="uksouth", tenant_id="t", entra_administrator=ADMIN
    )
    return PostgresServerArgs(**{**base, **kw})


def _storage(**interfaces: Any) -> Callable[[], None]:
    """A GeoStorage with the given interface arguments (built when called: a refusal or a program)."""

    def build() -> None:
        GeoStorage(
            "st", GeoStorageArgs(account_name="stapp", resource_group_name="rg", location="uksouth", **interfaces)
        )

    return build


REFUSED: list[tuple[Callable[[], object], str]] = [
    (
        lambda: PostgresServer("db", pg(replica_of="/sub/x", geo_redundant_backup="Enabled")),
        "PostgresServer 'db': geo_redundant_backup: 'Enabled' is not allowed; expected Disabled: geo-redundant backup",
    ),
    (
        lambda: PostgresServer("db", pg(location="ukwest", high_availability="ZoneRedundant")),
        "high_availability: 'ZoneRedundant' is not allowed; expected SameZone or Disabled (ukwest has no availability",
    ),
    (
        lambda: PostgresServer("db", pg(sku_tier="Burstable", sku_name="Standard_B2s", high_availability="SameZone")),
        "expected Disabled (Burstable servers have no HA)",
    ),
    (lambda: PostgresServer("db", pg(entra_administrator=None)), "entra_administrator: required but not set"),
    (
        lambda: PostgresServer(
            "db",
            pg(
                customer_managed_key=CustomerManagedKeyArgs(
                    key_uri="https://kv/keys/k", user_assigned_identity_resource_id=UAI
                )
            ),
        ),
        "managed_identities: required but not set",
    ),
    (
        lambda: GeoStorage("st", GeoStorageArgs(account_name="st", resource_group_name="rg", location="ukwest")),
        "GeoStorage 'st': sku: 'Standard_RAGZRS' is not allowed; expected Standard_RAGRS or Standard_GRS",
    ),
    (
        lambda: RedisCache(
            "c",
            RedisCacheArgs(
                cache_name="c",
                resource_group_name="rg",
                location="uksouth",
                persistence=RedisPersistenceArgs(
                    storage_account_id="s", blob_endpoint="b", subscription_id="x", writer_principal_id="p"
                ),
            ),
        ),
        "Azure refuses persistence on a geo-replicated cache",
    ),
    (
        lambda: ContainerRegistry(
            "cr",
            ContainerRegistryArgs(
                registry_name="cr",
                resource_group_name="rg",
                location="uksouth",
                soft_delete_days=7,
                retention_days=0,
                geo_replicated=True,
            ),
        ),
        "soft_delete_days: 7 is not allowed; expected unset: ACR soft delete cannot be combined with geo-replication",
    ),
    (
        lambda: TrafficManagerGlobalArgs(profile_name="tm", resource_group_name="rg", probe_interval_seconds=60),
        "probe_interval_seconds: 60 is not allowed; expected 10 or 30",
    ),
    (lambda: pg(location="UK South"), "location: 'UK South' is not allowed; expected an Azure region name"),
    (
        lambda: RoleAssignmentArgs(role_definition_id_or_name="Storage Blob Data Owners", principal_id="p"),
        "RoleAssignmentArgs.role_definition_id_or_name: 'Storage Blob Data Owners' is not allowed; expected a "
        "built-in role name (AcrDelete,",
    ),
    (
        lambda: RoleAssignmentArgs(role_definition_id_or_name="Reader", principal_id="p", condition_version="2.0"),
        "RoleAssignmentArgs: condition_version: '2.0' is not allowed; expected unset without a condition",
    ),
    (lambda: DiagnosticSettingsArgs(), "DiagnosticSettingsArgs: destination: required but not set; expected"),
    (
        lambda: DiagnosticSettingsArgs(storage_account_resource_id="st", event_hub_name="hub"),
        "event_hub_authorization_rule_resource_id: required but not set; expected set with event_hub_name",
    ),
    (
        _storage(private_endpoints=[PrivateEndpointArgs(subnet_resource_id=SUBNET)]),
        "GeoStorageArgs: private_endpoints: 'list' is not allowed; expected a map of name -> PrivateEndpointArgs",
    ),
    (
        _storage(diagnostic_settings=DiagnosticSettingsArgs(workspace_resource_id="w")),
        "diagnostic_settings: 'DiagnosticSettingsArgs' is not allowed; expected a map of name -> "
        "DiagnosticSettingsArgs",
    ),
    (
        _storage(private_endpoints={"a b": PrivateEndpointArgs(subnet_resource_id=SUBNET)}),
        "private_endpoints key: 'a b' is not allowed; expected 1-40 letters, digits",
    ),
    (_storage(removal_policy="delete"), "removal_policy: 'delete' is not allowed; expected retain"),
    (lambda: LockArgs(kind="Nope"), "LockArgs.kind: 'Nope' is not allowed; expected CanNotDelete or ReadOnly"),
]


@pytest.mark.parametrize(("build", "message"), REFUSED)
def test_components_refuse_with_one_line_before_registering(build: Callable[[], object], message: str) -> None:
    # No Pulumi runtime is configured here: a refusal must come before the component registers anything.
    with pytest.raises(InvalidArgs) as refused:
        build()
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_config_and_component_refuse_with_the_same_rule() -> None:
    """One rule, two callers: the config error and the component error carry the same allowed values."""
    values = {k: stack_value("dr", k) for k in ("workload", "role", "region", "peer_stack", "peer_region", "routing")}
    postgres = {**stack_value("dr", "postgres"), "geo_redundant_backup": "Enabled"}
    with pytest.raises(ConfigError) as config_error:
        parse_config({**values, "postgres": postgres})
    with pytest.raises(InvalidArgs) as args_error:
        PostgresServer("db", pg(location="ukwest", replica_of="/sub/x", geo_redundant_backup="Enabled"))
    allowed = "'Enabled' is not allowed; expected Disabled: geo-redundant backup is chosen when a server is created"
    assert allowed in str(config_error.value) and allowed in str(args_error.value)


EVENT_HUB_RULE = f"{RG}/providers/Microsoft.EventHub/namespaces/evh-app/authorizationRules/RootManageSharedAccessKey"
ARCHIVE = f"{RG}/providers/Microsoft.Storage/storageAccounts/starchive"
WORKSPACE = f"{RG}/providers/Microsoft.OperationalInsights/workspaces/log"


def test_every_interface_lands_on_the_resource() -> None:
    built: dict[str, GeoStorage] = {}

    def program() -> None:
        built["st"] = GeoStorage(
            "st",
            GeoStorageArgs(
                account_name="stapp",
                resource_group_name="rg-app",
                location="uksouth",
                tags={"app": "orders"},
                lock=LockArgs(kind="ReadOnly", name="frozen"),
                role_assignments={
                    "reader": RoleAssignmentArgs(
                        role_definition_id_or_name="Storage Blob Data Reader", principal_id="p1"
                    ),
                    "owner": RoleAssignmentArgs(
                        role_definition_id_or_name="Storage Blob Data Owner",
                        principal_id="p2",
                        principal_type="Group",
                        description="orders team, its container only",
                        condition="@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] "
                        "StringEquals 'orders'",
                    ),
                },
                diagnostic_settings={
                    "workspace": DiagnosticSettingsArgs(
                        workspace_resource_id=WORKSPACE,
                        log_category_groups=(),
                        log_categories=("StorageRead", "StorageWrite"),
                    ),
                    "archive": DiagnosticSettingsArgs(
                        storage_account_resource_id=ARCHIVE,
                        event_hub_authorization_rule_resource_id=EVENT_HUB_RULE,
                        event_hub_name="audit",
                        log_category_groups=("audit",),
                        metric_categories=(),
                    ),
                },
                private_endpoints={
                    "apps": PrivateEndpointArgs(subnet_resource_id=SUBNET, private_dns_zone_resource_ids=[ZONE]),
                    "analytics": PrivateEndpointArgs(subnet_resource_id=SUBNET, subresource_name="dfs", lock=None),
                },
                managed_identities=ManagedIdentitiesArgs(system_assigned=True, user_assigned_resource_ids=[UAI]),
                customer_managed_key=CustomerManagedKeyArgs(
                    key_uri="https://kv-app.vault.azure.net/keys/cmk", user_assigned_identity_resource_id=UAI
                ),
            ),
        )

    plan = run_program(program)
    account = plan.one("azure-native:storage:StorageAccount")
    assert account.inputs["identity"] == {"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": [UAI]}
    assert account.inputs["encryption"]["keyVaultProperties"] == {
        "keyName": "cmk",
        "keyVaultUri": "https://kv-app.vault.azure.net/",
    }
    assert account.inputs["encryption"]["encryptionIdentity"] == {"encryptionUserAssignedIdentity": UAI}
    assert account.inputs["tags"]["app"] == "orders"
    lock = by_name(plan, "st-lock")
    assert (lock["level"], lock["lockName"], lock["scope"]) == ("ReadOnly", "frozen", account.id)
    assert by_name(plan, "st-role-reader")["roleDefinitionId"].endswith("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1")
    owner = by_name(plan, "st-role-owner")
    assert owner["roleDefinitionId"] == (
        "/subscriptions/5c2f8b9e-0d1a-4e3b-8f6c-7a9d0e1b2c3d/providers/Microsoft.Authorization/roleDefinitions/"
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
    )
    assert (owner["principalType"], owner["conditionVersion"]) == ("Group", "2.0")
    assert owner["condition"].endswith("StringEquals 'orders'")
    assert "conditionVersion" not in by_name(plan, "st-role-reader")  # only with a condition
    workspace = by_name(plan, "st-diagnostics-workspace")
    assert [log["category"] for log in workspace["logs"]] == ["StorageRead", "StorageWrite"]
    assert workspace["resourceUri"].endswith("/blobServices/default")
    assert (workspace["name"], workspace["logAnalyticsDestinationType"]) == ("workspace", "Dedicated")
    archive = by_name(plan, "st-diagnostics-archive")
    assert (archive["storageAccountId"], archive["eventHubAuthorizationRuleId"]) == (ARCHIVE, EVENT_HUB_RULE)
    assert archive["eventHubName"] == "audit" and "logAnalyticsDestinationType" not in archive
    assert archive["logs"] == [{"categoryGroup": "audit", "enabled": True}] and "metrics" not in archive
    apps, analytics = by_name(plan, "st-pe-apps"), by_name(plan, "st-pe-analytics")
    assert apps["privateEndpointName"] == "pep-st-apps" and analytics["privateEndpointName"] == "pep-st-analytics"
    assert analytics["privateLinkServiceConnections"][0]["groupIds"] == ["dfs"]
    assert by_name(plan, "st-pe-apps-dns")["privateDnsZoneConfigs"] == [{"name": "blob", "privateDnsZoneId": ZONE}]
    assert not [r for r in plan.resources if r.name == "st-pe-analytics-dns"]  # no zones given: DNS managed elsewhere
    # The endpoint takes the account's lock (AVM: cross-referenced resources), unless its entry says otherwise.
    pe_lock = by_name(plan, "st-pe-apps-lock")
    apps_id = next(r.id for r in plan.resources if r.name == "st-pe-apps")
    assert (pe_lock["level"], pe_lock["lockName"], pe_lock["scope"]) == ("ReadOnly", "frozen", apps_id)
    assert not [r for r in plan.resources if r.name == "st-pe-analytics-lock"]
    # Children are exposed as typed attributes, by the keys given.
    st = built["st"]
    assert st.lock is not None and set(st.diagnostic_settings) == {"workspace", "archive"}
    assert set(st.private_endpoints) == {"apps", "analytics"} and set(st.role_assignments) == {"reader", "owner"}
    assert set(st.private_endpoint_locks) == {"apps"}


def test_removing_an_endpoint_renames_no_other() -> None:
    """The map's keys name the resources: dropping one entry leaves every other URN as it was."""
    both = {
        "a": PrivateEndpointArgs(subnet_resource_id=SUBNET),
        "b": PrivateEndpointArgs(subnet_resource_id=SUBNET, private_dns_zone_resource_ids=[ZONE]),
    }
    before = {r.urn: r.inputs for r in run_program(_storage(private_endpoints=both)).resources}
    after = {r.urn: r.inputs for r in run_program(_storage(private_endpoints={"b": both["b"]})).resources}
    assert set(after) < set(before)
    assert all(before[urn] == inputs for urn, inputs in after.items())
    assert {urn.rsplit("::", 1)[1] for urn in set(before) - set(after)} == {"st-pe-a", "st-pe-a-lock"}


def test_postgres_customer_managed_key_and_no_lock() -> None:
    def program() -> None:
        PostgresServer(
            "db",
            pg(
                lock=None,
                managed_identities=ManagedIdentitiesArgs(user_assigned_resource_ids=[UAI]),
                customer_managed_key=CustomerManagedKeyArgs(
                    key_uri="https://kv-a.vault.azure.net/keys/k",
                    user_assigned_identity_resource_id=UAI,
                    geo_backup_key_uri="https://kv-b.vault.azure.net/keys/k",
                    geo_backup_user_assigned_identity_resource_id=UAI,
                ),
            ),
        )

    plan = run_program(program)
    server = plan.one("azure-native:dbforpostgresql:Server").inputs
    assert server["identity"] == {"type": "UserAssigned", "userAssignedIdentities": {UAI: {}}}
    assert server["dataEncryption"]["primaryKeyURI"] == "https://kv-a.vault.azure.net/keys/k"
    assert server["dataEncryption"]["geoBackupKeyURI"] == "https://kv-b.vault.azure.net/keys/k"
    assert plan.of_type("azure-native:authorization:ManagementLockByScope") == []
    assert server["tags"]["azure-dr:dr-mechanism"] == "postgres-geo-backup"


def test_identities_and_keys_use_each_service_s_own_shape() -> None:
    """Each service spells identities and key settings its own way; the interface args are the same."""
    both = ManagedIdentitiesArgs(system_assigned=True, user_assigned_resource_ids=[UAI])
    cmk = CustomerManagedKeyArgs(key_uri="https://kv-a.vault.azure.net/keys/k", user_assigned_identity_resource_id=UAI)
    built: dict[str, CosmosAccount] = {}

    def program() -> None:
        common: dict[str, Any] = dict(resource_group_name="rg-app", location="uksouth", managed_identities=both)
        built["cosmos"] = CosmosAccount(
            "cosmos",
            CosmosAccountArgs(
                account_name="cosmos-a",
                write_region="uksouth",
                failover_region="ukwest",
                databases=[CosmosDatabaseArgs(name="app", containers=[CosmosContainerArgs(name="orders")])],
                customer_managed_key=cmk,
                **common,
            ),
        )
        ContainerRegistry(
            "cr",
            ContainerRegistryArgs(
                registry_name="cra", customer_managed_key=cmk, customer_managed_key_client_id="client-1", **common
            ),
        )
        RedisCache("redis", RedisCacheArgs(cache_name="redis-a", **common))

    plan = run_program(program)
    cosmos = plan.one("azure-native:cosmosdb:DatabaseAccount").inputs
    assert cosmos["identity"] == {"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": [UAI]}
    assert cosmos["keyVaultKeyUri"] == cmk.key_uri and cosmos["defaultIdentity"] == f"UserAssignedIdentity={UAI}"
    assert [loc["locationName"] for loc in cosmos["locations"]] == ["uksouth", "ukwest"]
    registry = plan.one("azure-native:containerregistry:Registry").inputs
    assert registry["identity"] == {"type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {UAI: {}}}
    assert registry["encryption"]["keyVaultProperties"] == {"identity": "client-1", "keyIdentifier": cmk.key_uri}
    cache = plan.one("azure-native:redis:Redis").inputs
    assert cache["identity"]["type"] == "SystemAssigned, UserAssigned"
    assert set(built["cosmos"].containers) == {"app/orders"}
    assert plan.one("azure-native:cosmosdb:SqlResourceSqlContainer").protect


def test_public_names_come_from_one_place() -> None:
    assert set(components.__all__) == set(components._EXPORTS)
    # Classes and functions carry their own name; constants (CONTRACT, REGIONS...) are defined where mapped.
    assert all(getattr(getattr(components, name), "__name__", name) == name for name in components.__all__)
    assert all(name in vars(importlib.import_module(components._EXPORTS[name])) for name in components.__all__)
    assert (ROOT / "components" / "py.typed").exists()


# The composer: the stack config, the region that maps it onto the components, the peer contract, and the
# config-driven operations layer and pair-size rule (dr_operations, pairsize) main added around them.
COMPOSER = {
    "config.py",
    "region.py",
    "contract.py",
    "__init__.py",
    "dr_operations.py",
    "pairsize.py",
    "region_network.py",  # the network tier from config, beside region.py
    "pairnetwork.py",  # the pair's network rule, beside pairsize.py
}


OUTSIDE_STACK = sorted(
    str(p.relative_to(ROOT / "components"))
    for p in (ROOT / "components").rglob("*.py")
    if "stack" not in p.relative_to(ROOT / "components").parts[:1] and p.name != "__init__.py"
)


@pytest.mark.parametrize("module", OUTSIDE_STACK)
def test_only_the_composer_knows_the_stack_config(module: str) -> None:
    """The layers: only components/stack/ reads the stack config; components and facts know their own args."""
    text = (ROOT / "components" / module).read_text()
    imported = {(n.level, n.module or "") for n in ast.walk(ast.parse(text)) if isinstance(n, ast.ImportFrom)}
    assert not [m for level, m in imported if (level and m.split(".")[0] == "stack") or ".stack" in m], module
    assert "StackConfig" not in text, f"components/{module} names the stack config"
