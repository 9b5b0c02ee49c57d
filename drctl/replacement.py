"""Which input changes make the azure-native provider replace a resource, and which resources hold data.

The provider decides replacement from metadata the Python SDK does not expose (facts §0): every URL path
parameter, every top-level create-only property, and a hand-written ``forceNewMap``. This table carries the
ones our resources use, so a config switch can be checked offline for replacements before ``pulumi up``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from components.paths import dig
from components.recovery import STATEFUL_TYPES
from drctl.recording import RecordedResource, StackPlan

_PATH_PARAMS = ("resourceGroupName",)

FORCE_NEW: dict[str, tuple[str, ...]] = {
    "azure-native:resources:ResourceGroup": ("resourceGroupName", "location"),
    "azure-native:dbforpostgresql:Server": (
        "serverName",
        "location",
        "administratorLogin",
        "sourceServerResourceId",
        "availabilityZone",
        "pointInTimeUtc",
    ),
    "azure-native:keyvault:Vault": ("vaultName", "location"),
    "azure-native:storage:StorageAccount": ("accountName", "location", "isHnsEnabled"),
    "azure-native:cosmosdb:DatabaseAccount": ("accountName", "location", "kind"),
    "azure-native:containerregistry:Registry": ("registryName", "location"),
    "azure-native:containerregistry:Replication": ("registryName", "replicationName", "location"),
    "azure-native:redis:Redis": ("name", "location"),
    "azure-native:redis:LinkedServer": ("name", "linkedServerName"),
    "azure-native:cdn:Profile": ("profileName", "location", "sku.name"),
    "azure-native:operationalinsights:Workspace": ("workspaceName", "location"),
    "azure-native:containerservice:ManagedCluster": (
        "resourceName",
        "location",
        "dnsPrefix",
        "fqdnSubdomain",
        "diskEncryptionSetID",
        "linuxProfile",
        "networkProfile",
        "nodeResourceGroup",
        "windowsProfile",
    ),
    "azure-native:dataprotection:BackupVault": ("vaultName", "location"),
}


@dataclass(frozen=True)
class Replacement:
    urn: str
    type: str
    keys: tuple[str, ...]


def replacing_keys(before: RecordedResource, after: RecordedResource) -> tuple[str, ...]:
    """The create-only inputs that differ (changed, added or removed) between two registrations."""
    keys = (*_PATH_PARAMS, *FORCE_NEW.get(after.type, ()))
    return tuple(k for k in keys if dig(before.inputs, k) != dig(after.inputs, k))


def replacements(before: StackPlan, after: StackPlan) -> list[Replacement]:
    """Resources the switch from ``before`` to ``after`` would replace, by URN."""
    old = {r.urn: r for r in before.resources}
    found = []
    for new in after.resources:
        prev = old.get(new.urn)
        if prev is not None and new.custom and not new.read:
            keys = tuple(k for k in replacing_keys(prev, new) if k not in new.ignore_changes)
            if keys:
                found.append(Replacement(new.urn, new.type, keys))
    return found


def stateful(resources: Iterable[RecordedResource]) -> list[RecordedResource]:
    return [r for r in resources if r.type in STATEFUL_TYPES]


def deleted(before: StackPlan, after: StackPlan) -> list[RecordedResource]:
    """Resources of ``before`` that ``after`` no longer declares (Pulumi would delete them)."""
    kept = {r.urn for r in after.resources}
    return [r for r in before.resources if r.urn not in kept]
