"""azure-dr: a primary and a DR Azure region as two stacks of one Pulumi program.

The public names are importable from here (``from components import DrRegion, StackConfig``). They load on
first use, so ``import components.regions`` (the region facts the policy pack reads) stays cheap and does not
import the Azure SDK.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from components.config import ConfigError, StackConfig, load_config, parse_config
    from components.contract import CONTRACT, PeerContract, export_contract
    from components.cosmos import CosmosAccount, CosmosArgs
    from components.foundation import FoundationArgs, RegionalFoundation
    from components.keyvault import KeyVault, KeyVaultArgs
    from components.postgres import PostgresServer, PostgresServerArgs
    from components.recovery import MECHANISMS, Mechanism
    from components.redis import RedisCache, RedisCacheArgs, RedisGeoLink, RedisGeoLinkArgs
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
        TrafficManagerGlobal,
        TrafficManagerGlobalArgs,
    )

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(["ConfigError", "StackConfig", "load_config", "parse_config"], "components.config"),
    **dict.fromkeys(["CONTRACT", "PeerContract", "export_contract"], "components.contract"),
    **dict.fromkeys(["CosmosAccount", "CosmosArgs"], "components.cosmos"),
    **dict.fromkeys(["FoundationArgs", "RegionalFoundation"], "components.foundation"),
    **dict.fromkeys(["KeyVault", "KeyVaultArgs"], "components.keyvault"),
    **dict.fromkeys(["PostgresServer", "PostgresServerArgs"], "components.postgres"),
    **dict.fromkeys(["MECHANISMS", "Mechanism"], "components.recovery"),
    **dict.fromkeys(["RedisCache", "RedisCacheArgs", "RedisGeoLink", "RedisGeoLinkArgs"], "components.redis"),
    **dict.fromkeys(["DrRegion", "DrRegionArgs"], "components.region"),
    **dict.fromkeys(["REGIONS", "Region", "has_zones", "pair_of"], "components.regions"),
    **dict.fromkeys(
        ["ContainerRegistry", "ContainerRegistryArgs", "RegistryReplica", "RegistryReplicaArgs"], "components.registry"
    ),
    **dict.fromkeys(
        [
            "FrontDoorGlobal",
            "FrontDoorGlobalArgs",
            "FrontDoorOrigin",
            "FrontDoorRoute",
            "FrontDoorRouteArgs",
            "RegionalOriginArgs",
            "TrafficManagerGlobal",
            "TrafficManagerGlobalArgs",
        ],
        "components.routing",
    ),
}

__all__ = [
    "CONTRACT",
    "MECHANISMS",
    "REGIONS",
    "ConfigError",
    "ContainerRegistry",
    "ContainerRegistryArgs",
    "CosmosAccount",
    "CosmosArgs",
    "DrRegion",
    "DrRegionArgs",
    "FoundationArgs",
    "FrontDoorGlobal",
    "FrontDoorGlobalArgs",
    "FrontDoorOrigin",
    "FrontDoorRoute",
    "FrontDoorRouteArgs",
    "KeyVault",
    "KeyVaultArgs",
    "Mechanism",
    "PeerContract",
    "PostgresServer",
    "PostgresServerArgs",
    "RedisCache",
    "RedisCacheArgs",
    "RedisGeoLink",
    "RedisGeoLinkArgs",
    "Region",
    "RegionalFoundation",
    "RegionalOriginArgs",
    "RegistryReplica",
    "RegistryReplicaArgs",
    "StackConfig",
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
