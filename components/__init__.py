"""azure-dr's reusable Pulumi components: ``from components import PostgresServer, PostgresServerArgs``.

Each component takes its own args dataclass (intent-named, secure defaults documented per field) and knows
nothing of this project's stack config. Names are imported on first use, so a light import such as
``components.recovery`` (the policy pack's) does not load the Azure SDK.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from components.cosmos import CosmosAccount, CosmosAccountArgs, CosmosContainerArgs, CosmosDatabaseArgs
    from components.foundation import RegionalFoundation, RegionalFoundationArgs
    from components.interfaces import (
        CustomerManagedKeyArgs,
        DataInterfaceArgs,
        DiagnosticSettingsArgs,
        LockArgs,
        ManagedIdentitiesArgs,
        PrivateEndpointArgs,
        RoleAssignmentArgs,
    )
    from components.keyvault import KeyVault, KeyVaultArgs
    from components.postgres import EntraAdministratorArgs, PostgresServer, PostgresServerArgs
    from components.redis import RedisCache, RedisCacheArgs, RedisGeoLink, RedisGeoLinkArgs, RedisPersistenceArgs
    from components.registry import ContainerRegistry, ContainerRegistryArgs, RegistryReplica, RegistryReplicaArgs
    from components.routing import (
        FrontDoorGlobal,
        FrontDoorGlobalArgs,
        FrontDoorOrigin,
        FrontDoorRoute,
        FrontDoorRouteArgs,
        RegionalOriginArgs,
        TrafficManagerEndpoint,
        TrafficManagerEndpointArgs,
        TrafficManagerGlobal,
        TrafficManagerGlobalArgs,
    )
    from components.rules import InvalidArgs
    from components.storage import GeoStorage, GeoStorageArgs

# Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(("CosmosAccount", "CosmosAccountArgs", "CosmosContainerArgs", "CosmosDatabaseArgs"), "cosmos"),
    **dict.fromkeys(("RegionalFoundation", "RegionalFoundationArgs"), "foundation"),
    **dict.fromkeys(
        (
            "CustomerManagedKeyArgs",
            "DataInterfaceArgs",
            "DiagnosticSettingsArgs",
            "LockArgs",
            "ManagedIdentitiesArgs",
            "PrivateEndpointArgs",
            "RoleAssignmentArgs",
        ),
        "interfaces",
    ),
    **dict.fromkeys(("KeyVault", "KeyVaultArgs"), "keyvault"),
    **dict.fromkeys(("EntraAdministratorArgs", "PostgresServer", "PostgresServerArgs"), "postgres"),
    **dict.fromkeys(
        ("RedisCache", "RedisCacheArgs", "RedisGeoLink", "RedisGeoLinkArgs", "RedisPersistenceArgs"), "redis"
    ),
    **dict.fromkeys(
        ("ContainerRegistry", "ContainerRegistryArgs", "RegistryReplica", "RegistryReplicaArgs"), "registry"
    ),
    **dict.fromkeys(
        (
            "FrontDoorGlobal",
            "FrontDoorGlobalArgs",
            "FrontDoorOrigin",
            "FrontDoorRoute",
            "FrontDoorRouteArgs",
            "RegionalOriginArgs",
            "TrafficManagerEndpoint",
            "TrafficManagerEndpointArgs",
            "TrafficManagerGlobal",
            "TrafficManagerGlobalArgs",
        ),
        "routing",
    ),
    "InvalidArgs": "rules",
    **dict.fromkeys(("GeoStorage", "GeoStorageArgs"), "storage"),
}

__all__ = [
    "ContainerRegistry",
    "ContainerRegistryArgs",
    "CosmosAccount",
    "CosmosAccountArgs",
    "CosmosContainerArgs",
    "CosmosDatabaseArgs",
    "CustomerManagedKeyArgs",
    "DataInterfaceArgs",
    "DiagnosticSettingsArgs",
    "EntraAdministratorArgs",
    "FrontDoorGlobal",
    "FrontDoorGlobalArgs",
    "FrontDoorOrigin",
    "FrontDoorRoute",
    "FrontDoorRouteArgs",
    "GeoStorage",
    "GeoStorageArgs",
    "InvalidArgs",
    "KeyVault",
    "KeyVaultArgs",
    "LockArgs",
    "ManagedIdentitiesArgs",
    "PostgresServer",
    "PostgresServerArgs",
    "PrivateEndpointArgs",
    "RedisCache",
    "RedisCacheArgs",
    "RedisGeoLink",
    "RedisGeoLinkArgs",
    "RedisPersistenceArgs",
    "RegionalFoundation",
    "RegionalFoundationArgs",
    "RegionalOriginArgs",
    "RegistryReplica",
    "RegistryReplicaArgs",
    "RoleAssignmentArgs",
    "TrafficManagerEndpoint",
    "TrafficManagerEndpointArgs",
    "TrafficManagerGlobal",
    "TrafficManagerGlobalArgs",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'components' has no attribute {name!r}")
    return getattr(import_module(f"components.{module}"), name)
