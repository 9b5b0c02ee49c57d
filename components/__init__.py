"""azure-dr: a primary and a DR Azure region as two stacks of one Pulumi program, built from reusable components.

Each component takes its own args dataclass (intent-named, secure defaults documented per field) and knows
nothing of this project's stack config: ``from components import PostgresServer, PostgresServerArgs``. The
public names load on first use, so ``import components.regions`` (the region facts the policy pack reads) stays
cheap and does not import the Azure SDK.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from components.config import ConfigError, StackConfig, load_config, parse_config
    from components.contract import CONTRACT, PeerContract, export_contract
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
    from components.network import InboundAllow, PeeringArgs, RegionalNetwork, RegionalNetworkArgs
    from components.postgres import (
        EntraAdministratorArgs,
        PostgresServer,
        PostgresServerArgs,
        PostgresWriterEndpoint,
        PostgresWriterEndpointArgs,
    )
    from components.private_dns import PrivateDnsZones, PrivateDnsZonesArgs
    from components.recovery import MECHANISMS, Mechanism
    from components.redis import RedisCache, RedisCacheArgs, RedisGeoLink, RedisGeoLinkArgs, RedisPersistenceArgs
    from components.region import DrRegion, DrRegionArgs
    from components.regions import REGIONS, Region, has_zones, pair_of
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

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "ConfigError": "components.config",
    "StackConfig": "components.config",
    "load_config": "components.config",
    "parse_config": "components.config",
    "CONTRACT": "components.contract",
    "PeerContract": "components.contract",
    "export_contract": "components.contract",
    "CosmosAccount": "components.cosmos",
    "CosmosAccountArgs": "components.cosmos",
    "CosmosContainerArgs": "components.cosmos",
    "CosmosDatabaseArgs": "components.cosmos",
    "RegionalFoundation": "components.foundation",
    "RegionalFoundationArgs": "components.foundation",
    "CustomerManagedKeyArgs": "components.interfaces",
    "DataInterfaceArgs": "components.interfaces",
    "DiagnosticSettingsArgs": "components.interfaces",
    "LockArgs": "components.interfaces",
    "ManagedIdentitiesArgs": "components.interfaces",
    "PrivateEndpointArgs": "components.interfaces",
    "RoleAssignmentArgs": "components.interfaces",
    "KeyVault": "components.keyvault",
    "KeyVaultArgs": "components.keyvault",
    "EntraAdministratorArgs": "components.postgres",
    "PostgresServer": "components.postgres",
    "PostgresServerArgs": "components.postgres",
    "PostgresWriterEndpoint": "components.postgres",
    "PostgresWriterEndpointArgs": "components.postgres",
    "MECHANISMS": "components.recovery",
    "Mechanism": "components.recovery",
    "RedisCache": "components.redis",
    "RedisCacheArgs": "components.redis",
    "RedisGeoLink": "components.redis",
    "RedisGeoLinkArgs": "components.redis",
    "RedisPersistenceArgs": "components.redis",
    "DrRegion": "components.region",
    "DrRegionArgs": "components.region",
    "REGIONS": "components.regions",
    "Region": "components.regions",
    "has_zones": "components.regions",
    "pair_of": "components.regions",
    "ContainerRegistry": "components.registry",
    "ContainerRegistryArgs": "components.registry",
    "RegistryReplica": "components.registry",
    "RegistryReplicaArgs": "components.registry",
    "FrontDoorGlobal": "components.routing",
    "FrontDoorGlobalArgs": "components.routing",
    "FrontDoorOrigin": "components.routing",
    "FrontDoorRoute": "components.routing",
    "FrontDoorRouteArgs": "components.routing",
    "RegionalOriginArgs": "components.routing",
    "TrafficManagerEndpoint": "components.routing",
    "TrafficManagerEndpointArgs": "components.routing",
    "TrafficManagerGlobal": "components.routing",
    "TrafficManagerGlobalArgs": "components.routing",
    "InvalidArgs": "components.rules",
    "GeoStorage": "components.storage",
    "GeoStorageArgs": "components.storage",
    "RegionalNetwork": "components.network",
    "RegionalNetworkArgs": "components.network",
    "InboundAllow": "components.network",
    "PeeringArgs": "components.network",
    "PrivateDnsZones": "components.private_dns",
    "PrivateDnsZonesArgs": "components.private_dns",
}

__all__ = [
    "CONTRACT",
    "MECHANISMS",
    "REGIONS",
    "ConfigError",
    "ContainerRegistry",
    "ContainerRegistryArgs",
    "CosmosAccount",
    "CosmosAccountArgs",
    "CosmosContainerArgs",
    "CosmosDatabaseArgs",
    "CustomerManagedKeyArgs",
    "DataInterfaceArgs",
    "DiagnosticSettingsArgs",
    "DrRegion",
    "DrRegionArgs",
    "EntraAdministratorArgs",
    "FrontDoorGlobal",
    "FrontDoorGlobalArgs",
    "FrontDoorOrigin",
    "FrontDoorRoute",
    "FrontDoorRouteArgs",
    "GeoStorage",
    "GeoStorageArgs",
    "InboundAllow",
    "InvalidArgs",
    "KeyVault",
    "KeyVaultArgs",
    "LockArgs",
    "ManagedIdentitiesArgs",
    "Mechanism",
    "PeerContract",
    "PeeringArgs",
    "PostgresServer",
    "PostgresServerArgs",
    "PostgresWriterEndpoint",
    "PostgresWriterEndpointArgs",
    "PrivateDnsZones",
    "PrivateDnsZonesArgs",
    "PrivateEndpointArgs",
    "RedisCache",
    "RedisCacheArgs",
    "RedisGeoLink",
    "RedisGeoLinkArgs",
    "RedisPersistenceArgs",
    "Region",
    "RegionalFoundation",
    "RegionalFoundationArgs",
    "RegionalNetwork",
    "RegionalNetworkArgs",
    "RegionalOriginArgs",
    "RegistryReplica",
    "RegistryReplicaArgs",
    "RoleAssignmentArgs",
    "StackConfig",
    "TrafficManagerEndpoint",
    "TrafficManagerEndpointArgs",
    "TrafficManagerGlobal",
    "TrafficManagerGlobalArgs",
    "export_contract",
    "has_zones",
    "load_config",
    "pair_of",
    "parse_config",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'components' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
