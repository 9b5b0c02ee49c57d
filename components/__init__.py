"""azure-dr: a primary and a DR Azure region as two stacks of one Pulumi program, built from reusable components.

Each component takes its own args dataclass (intent-named, secure defaults documented per field) and knows
nothing of this project's stack config: ``from azure_dr.components import PostgresServer``. The
public names load on first use, so ``import facts.regions`` (the region facts the policy pack reads) stays
cheap and does not import the Azure SDK.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cosmos import CosmosAccount, CosmosAccountArgs, CosmosContainerArgs, CosmosDatabaseArgs
    from .facts.recovery import MECHANISMS, Mechanism
    from .facts.regions import REGIONS, Region, has_zones, pair_of
    from .foundation import RegionalFoundation, RegionalFoundationArgs
    from .interfaces import (
        CustomerManagedKeyArgs,
        DataInterfaceArgs,
        DiagnosticSettingsArgs,
        LockArgs,
        ManagedIdentitiesArgs,
        PrivateEndpointArgs,
        RoleAssignmentArgs,
    )
    from .keyvault import KeyVault, KeyVaultArgs
    from .network import InboundAllow, PeeringArgs, RegionalNetwork, RegionalNetworkArgs
    from .postgres import (
        EntraAdministratorArgs,
        PostgresServer,
        PostgresServerArgs,
        PostgresWriterEndpoint,
        PostgresWriterEndpointArgs,
    )
    from .private_dns import PrivateDnsZones, PrivateDnsZonesArgs
    from .redis import RedisCache, RedisCacheArgs, RedisGeoLink, RedisGeoLinkArgs, RedisPersistenceArgs
    from .registry import ContainerRegistry, ContainerRegistryArgs, RegistryReplica, RegistryReplicaArgs
    from .routing import (
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
    from .rules import InvalidArgs
    from .stack.config import ConfigError, StackConfig, load_config, parse_config
    from .stack.contract import CONTRACT, PeerContract, export_contract
    from .stack.region import DrRegion, DrRegionArgs
    from .storage import GeoStorage, GeoStorageArgs

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "ConfigError": "azure_dr.components.stack.config",
    "StackConfig": "azure_dr.components.stack.config",
    "load_config": "azure_dr.components.stack.config",
    "parse_config": "azure_dr.components.stack.config",
    "CONTRACT": "azure_dr.components.stack.contract",
    "PeerContract": "azure_dr.components.stack.contract",
    "export_contract": "azure_dr.components.stack.contract",
    "CosmosAccount": "azure_dr.components.cosmos",
    "CosmosAccountArgs": "azure_dr.components.cosmos",
    "CosmosContainerArgs": "azure_dr.components.cosmos",
    "CosmosDatabaseArgs": "azure_dr.components.cosmos",
    "RegionalFoundation": "azure_dr.components.foundation",
    "RegionalFoundationArgs": "azure_dr.components.foundation",
    "CustomerManagedKeyArgs": "azure_dr.components.interfaces",
    "DataInterfaceArgs": "azure_dr.components.interfaces",
    "DiagnosticSettingsArgs": "azure_dr.components.interfaces",
    "LockArgs": "azure_dr.components.interfaces",
    "ManagedIdentitiesArgs": "azure_dr.components.interfaces",
    "PrivateEndpointArgs": "azure_dr.components.interfaces",
    "RoleAssignmentArgs": "azure_dr.components.interfaces",
    "KeyVault": "azure_dr.components.keyvault",
    "KeyVaultArgs": "azure_dr.components.keyvault",
    "EntraAdministratorArgs": "azure_dr.components.postgres",
    "PostgresServer": "azure_dr.components.postgres",
    "PostgresServerArgs": "azure_dr.components.postgres",
    "PostgresWriterEndpoint": "azure_dr.components.postgres",
    "PostgresWriterEndpointArgs": "azure_dr.components.postgres",
    "MECHANISMS": "azure_dr.components.facts.recovery",
    "Mechanism": "azure_dr.components.facts.recovery",
    "RedisCache": "azure_dr.components.redis",
    "RedisCacheArgs": "azure_dr.components.redis",
    "RedisGeoLink": "azure_dr.components.redis",
    "RedisGeoLinkArgs": "azure_dr.components.redis",
    "RedisPersistenceArgs": "azure_dr.components.redis",
    "DrRegion": "azure_dr.components.stack.region",
    "DrRegionArgs": "azure_dr.components.stack.region",
    "REGIONS": "azure_dr.components.facts.regions",
    "Region": "azure_dr.components.facts.regions",
    "has_zones": "azure_dr.components.facts.regions",
    "pair_of": "azure_dr.components.facts.regions",
    "ContainerRegistry": "azure_dr.components.registry",
    "ContainerRegistryArgs": "azure_dr.components.registry",
    "RegistryReplica": "azure_dr.components.registry",
    "RegistryReplicaArgs": "azure_dr.components.registry",
    "FrontDoorGlobal": "azure_dr.components.routing",
    "FrontDoorGlobalArgs": "azure_dr.components.routing",
    "FrontDoorOrigin": "azure_dr.components.routing",
    "FrontDoorRoute": "azure_dr.components.routing",
    "FrontDoorRouteArgs": "azure_dr.components.routing",
    "RegionalOriginArgs": "azure_dr.components.routing",
    "TrafficManagerEndpoint": "azure_dr.components.routing",
    "TrafficManagerEndpointArgs": "azure_dr.components.routing",
    "TrafficManagerGlobal": "azure_dr.components.routing",
    "TrafficManagerGlobalArgs": "azure_dr.components.routing",
    "InvalidArgs": "azure_dr.components.rules",
    "GeoStorage": "azure_dr.components.storage",
    "GeoStorageArgs": "azure_dr.components.storage",
    "RegionalNetwork": "azure_dr.components.network",
    "RegionalNetworkArgs": "azure_dr.components.network",
    "InboundAllow": "azure_dr.components.network",
    "PeeringArgs": "azure_dr.components.network",
    "PrivateDnsZones": "azure_dr.components.private_dns",
    "PrivateDnsZonesArgs": "azure_dr.components.private_dns",
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
