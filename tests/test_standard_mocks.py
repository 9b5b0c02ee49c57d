"""Every public component builds under Pulumi's *standard* mocks, as a consumer's unit tests run it.

A plain ``pulumi.runtime.Mocks`` answers a resource with its inputs and an id such as ``<name>_id``, and an
invoke with what the test returns (nothing, or its arguments): no ARM ids, no host names, no ``primary_endpoints``.
A component that reads an output Azure adds, or parses an id, must still build; its outputs may be empty.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from pulumi.runtime import mocks, settings
from pulumi.runtime import stack as runtime_stack
from pulumi.runtime.sync_await import _sync_await

import azure_dr.components as components
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.stackfiles.files import load_stack
from azure_dr.components import (
    ContainerRegistry,
    ContainerRegistryArgs,
    CosmosAccount,
    CosmosAccountArgs,
    CosmosContainerArgs,
    CosmosDatabaseArgs,
    DiagnosticSettingsArgs,
    DrRegion,
    DrRegionArgs,
    EntraAdministratorArgs,
    FrontDoorGlobal,
    FrontDoorGlobalArgs,
    FrontDoorOrigin,
    FrontDoorRoute,
    FrontDoorRouteArgs,
    GeoStorage,
    GeoStorageArgs,
    KeyVault,
    KeyVaultArgs,
    PostgresServer,
    PostgresServerArgs,
    PostgresWriterEndpoint,
    PostgresWriterEndpointArgs,
    PrivateDnsZones,
    PrivateDnsZonesArgs,
    PrivateEndpointArgs,
    RedisCache,
    RedisCacheArgs,
    RedisGeoLink,
    RedisGeoLinkArgs,
    RedisPersistenceArgs,
    RegionalFoundation,
    RegionalFoundationArgs,
    RegionalNetwork,
    RegionalNetworkArgs,
    RegionalOriginArgs,
    RegistryReplica,
    RegistryReplicaArgs,
    RoleAssignmentArgs,
    TrafficManagerEndpoint,
    TrafficManagerEndpointArgs,
    TrafficManagerGlobal,
    TrafficManagerGlobalArgs,
)
from azure_dr.components.stack.config import parse_config


class StandardMocks(pulumi.runtime.Mocks):
    """The mocks Pulumi's testing guide shows: inputs as outputs, ``<name>_id`` ids; invokes answer ``call``.

    ``identities_as_map``: answer user-assigned identities as the map Azure returns (and the SDK's output type
    declares) instead of echoing the list the SDK takes as input; without it the SDK itself cannot load the answer
    for any resource given one (``test_the_sdk_needs_identities_answered_as_a_map``).
    """

    def __init__(self, echo_invokes: bool, identities_as_map: bool = False) -> None:
        self.echo_invokes, self.identities_as_map = echo_invokes, identities_as_map

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        outputs = dict(args.inputs)
        identity = outputs.get("identity")
        if (
            self.identities_as_map
            and isinstance(identity, dict)
            and isinstance(identity.get("userAssignedIdentities"), list)
        ):
            outputs["identity"] = {
                **identity,
                "userAssignedIdentities": {key: {} for key in identity["userAssignedIdentities"]},
            }
        return f"{args.name}_id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return dict(args.args) if self.echo_invokes else {}


def build(program: Callable[[], object], echo_invokes: bool, identities_as_map: bool = False) -> list[str]:
    """Run ``program`` under ``StandardMocks``; the types it registered. Any error in it or an output fails."""
    answers = StandardMocks(echo_invokes, identities_as_map)
    monitor = mocks.MockMonitor(answers)
    mocks.set_mocks(answers, "consumer", "test", preview=False, monitor=monitor)
    settings.ROOT.set(None)
    _sync_await(runtime_stack.run_in_stack(program))
    return [urn.split("::")[2].rsplit("$", 1)[-1] for urn in monitor.resources]


SUBNET = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/pe"
ZONE = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/z"
ADMIN = EntraAdministratorArgs(object_id="6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", principal_name="sg-admins")


def interfaces() -> dict[str, Any]:
    """Every AVM interface, so role ids, endpoint locks and diagnostics are built against mock ids too."""
    return dict(
        resource_group_name="rg",
        location="uksouth",
        role_assignments={
            "readers": RoleAssignmentArgs(role_definition_id_or_name="Reader", principal_id="p"),
            "by-guid": RoleAssignmentArgs(
                role_definition_id_or_name="acdd72a7-3385-48ef-bd42-f606fba81ae7", principal_id="p"
            ),
        },
        diagnostic_settings={"logs": DiagnosticSettingsArgs(workspace_resource_id="log_id")},
        private_endpoints={
            "apps": PrivateEndpointArgs(subnet_resource_id=SUBNET, private_dns_zone_resource_ids=[ZONE])
        },
    )


def _dr_region() -> None:
    """The shipped primary stack's region, without its peer (nothing read from a StackReference)."""
    stack = load_stack(ROOT, "primary")
    prefix = f"{stack.project}:"
    config = parse_config({k[len(prefix) :]: v for k, v in stack.config.items() if k.startswith(prefix)}, stack.project)
    DrRegion("region", DrRegionArgs(config=config))


BUILDERS: dict[str, Callable[[], object]] = {
    "ContainerRegistry": lambda: ContainerRegistry("cr", ContainerRegistryArgs(registry_name="cra", **interfaces())),
    "CosmosAccount": lambda: CosmosAccount(
        "cosmos",
        CosmosAccountArgs(
            account_name="cosmos-a",
            write_region="uksouth",
            failover_region="ukwest",
            databases=[CosmosDatabaseArgs(name="app", containers=[CosmosContainerArgs(name="orders")])],
            **interfaces(),
        ),
    ),
    "DrRegion": _dr_region,
    "FrontDoorGlobal": lambda: FrontDoorGlobal(
        "afd", FrontDoorGlobalArgs(profile_name="afd", endpoint_name="ep", resource_group_name="rg")
    ),
    "FrontDoorOrigin": lambda: FrontDoorOrigin(
        "origin",
        RegionalOriginArgs(
            origin_name="o",
            host_name="app.example.com",
            active=True,
            profile_name="afd",
            origin_group_name="g",
            resource_group_name="rg",
        ),
    ),
    "FrontDoorRoute": lambda: FrontDoorRoute(
        "route",
        FrontDoorRouteArgs(profile_name="afd", endpoint_name="ep", origin_group_id="g_id", resource_group_name="rg"),
    ),
    "GeoStorage": lambda: GeoStorage("st", GeoStorageArgs(account_name="stapp", **interfaces())),
    "KeyVault": lambda: KeyVault("kv", KeyVaultArgs(vault_name="kv-a", tenant_id="t", **interfaces())),
    "PostgresServer": lambda: PostgresServer(
        "db", PostgresServerArgs(server_name="psql-a", tenant_id="t", entra_administrator=ADMIN, **interfaces())
    ),
    "PostgresWriterEndpoint": lambda: PostgresWriterEndpoint(
        "vep",
        PostgresWriterEndpointArgs(
            endpoint_name="vep", primary_server_name="a", resource_group_name="rg", replica_server_name="b"
        ),
    ),
    "PrivateDnsZones": lambda: PrivateDnsZones(
        "dns",
        PrivateDnsZonesArgs(
            resource_group_name="rg",
            zones={"vault": "privatelink.vaultcore.azure.net"},
            virtual_network_ids={"uks": "vnet_id"},
        ),
    ),
    "RedisCache": lambda: RedisCache(
        "redis",
        RedisCacheArgs(
            cache_name="redis-a",
            geo_replicated=False,
            persistence=RedisPersistenceArgs(
                storage_account_id="st_id",
                blob_endpoint="https://st.blob/",
                subscription_id="s",
                writer_principal_id="p",
            ),
            **interfaces(),
        ),
    ),
    "RedisGeoLink": lambda: RedisGeoLink(
        "geo",
        RedisGeoLinkArgs(
            primary_cache_name="a",
            primary_resource_group_name="rg",
            secondary_cache_id="b_id",
            secondary_cache_name="b",
            secondary_location="ukwest",
        ),
    ),
    "RegionalFoundation": lambda: RegionalFoundation(
        "base",
        RegionalFoundationArgs(resource_group_name="rg", workspace_name="log", identity_name="id", location="uksouth"),
    ),
    "RegionalNetwork": lambda: RegionalNetwork(
        "net",
        RegionalNetworkArgs(
            virtual_network_name="vnet",
            resource_group_name="rg",
            location="uksouth",
            address_space="10.10.0.0/16",
            subnets={"private_endpoints": "10.10.0.0/24"},
        ),
    ),
    "RegistryReplica": lambda: RegistryReplica(
        "replica", RegistryReplicaArgs(registry_name="cra", registry_resource_group_name="rg", location="ukwest")
    ),
    "TrafficManagerEndpoint": lambda: TrafficManagerEndpoint(
        "tm-ep",
        TrafficManagerEndpointArgs(
            endpoint_name="uksouth",
            target="app.example.com",
            location="uksouth",
            active=True,
            profile_name="tm",
            resource_group_name="rg",
        ),
    ),
    "TrafficManagerGlobal": lambda: TrafficManagerGlobal(
        "tm", TrafficManagerGlobalArgs(profile_name="tm", resource_group_name="rg")
    ),
}

PUBLIC_COMPONENTS = sorted(
    name
    for name in components.__all__
    if inspect.isclass(obj := getattr(components, name)) and issubclass(obj, pulumi.ComponentResource)
)


#: Builders that give a resource user-assigned identities (the region runs its services as its identity).
WITH_IDENTITIES = {"DrRegion"}


def test_every_public_component_has_a_builder() -> None:
    assert sorted(BUILDERS) == PUBLIC_COMPONENTS


@pytest.mark.parametrize("echo_invokes", [False, True], ids=["invokes-answer-nothing", "invokes-echo-arguments"])
@pytest.mark.parametrize("name", PUBLIC_COMPONENTS)
def test_component_builds_under_standard_mocks(name: str, echo_invokes: bool) -> None:
    registered = build(BUILDERS[name], echo_invokes, identities_as_map=name in WITH_IDENTITIES)
    assert any(t.startswith(("azure-native:", "kubernetes:")) for t in registered), registered


BARE_ACCOUNT = """
import sys
from pulumi_azure_native import storage
from tests.test_standard_mocks import build

def bare():
    storage.StorageAccount(
        "bare", resource_group_name="rg", kind="StorageV2", sku=storage.SkuArgs(name="Standard_GRS"),
        identity=storage.IdentityArgs(type="UserAssigned", user_assigned_identities=["uai_id"]),
    )

print(build(bare, echo_invokes=False, identities_as_map=sys.argv[1] == "map"))
"""


@pytest.mark.parametrize("answer", ["echo", "map"])
def test_the_sdk_needs_identities_answered_as_a_map(answer: str) -> None:
    """Not the components': a bare SDK storage account with a user-assigned identity cannot be loaded from mocks
    that echo its inputs (the SDK takes a list and declares a map). If the SDK changes, WITH_IDENTITIES can go.
    In a process of its own: a failed Pulumi run leaves the runtime unusable for the next one."""
    run = subprocess.run(
        [sys.executable, "-c", BARE_ACCOUNT, answer], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    if answer == "echo":
        assert run.returncode != 0 and "Expected 'list' got 'typing.Mapping" in run.stderr
    else:
        assert run.returncode == 0 and "azure-native:storage:StorageAccount" in run.stdout, run.stderr


def test_names_and_addresses_do_not_wait_for_azure_s_answer() -> None:
    """What a component exports from its inputs (names, the addresses Azure derives from them) is there under
    plain mocks, which answer no ``name`` and no endpoint."""
    found: dict[str, pulumi.Output[Any]] = {}

    def program() -> None:
        st = GeoStorage("st", GeoStorageArgs(account_name="stapp", resource_group_name="rg", location="uksouth"))
        base = RegionalFoundation(
            "base",
            RegionalFoundationArgs(
                resource_group_name="rg-a", workspace_name="log", identity_name="id", location="uksouth"
            ),
        )
        found.update(blob=st.primary_blob_endpoint, account=st.account_name, group=base.resource_group_name)
        pulumi.export("values", pulumi.Output.all(**found))

    monitor = mocks.MockMonitor(StandardMocks(echo_invokes=False))
    mocks.set_mocks(StandardMocks(echo_invokes=False), "consumer", "test", preview=False, monitor=monitor)
    settings.ROOT.set(None)
    _sync_await(runtime_stack.run_in_stack(program))
    values = {k: _sync_await(v.future()) for k, v in found.items()}
    assert values == {"blob": "https://stapp.blob.core.windows.net/", "account": "stapp", "group": "rg-a"}
