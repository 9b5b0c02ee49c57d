"""Which diagnostic-setting categories each resource type accepts, per Azure Monitor's reference (one row a type).

Azure refuses a diagnostic setting that names a category the type does not have ("Metric category 'AllMetrics'
is not supported" for a blob service, whose metric categories are ``Capacity`` and ``Transaction``). The mock
runtime accepts anything, so the default metric categories come from this table (``interfaces.DiagnosticSettingsArgs``),
and a test holds every planned ``DiagnosticSetting`` to it. Logs go by default as the ``allLogs`` category group,
which each type here supports; the named log categories are listed for reference and for rules that want one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class Categories:
    """What a diagnostic setting on one resource type may name, and where Microsoft Learn lists it."""

    metrics: tuple[str, ...]
    log_groups: tuple[str, ...]
    logs: tuple[str, ...]
    source: str


_LOG_GROUPS = ("allLogs", "audit")
_REF = "Microsoft Learn, Azure Monitor reference"

#: ARM resource type -> the categories its diagnostic settings accept.
CATEGORIES: dict[str, Categories] = {
    "Microsoft.Storage/storageAccounts/blobServices": Categories(
        metrics=("Capacity", "Transaction"),
        log_groups=_LOG_GROUPS,
        logs=("StorageRead", "StorageWrite", "StorageDelete"),
        source=f"{_REF}: 'Supported metrics for Microsoft.Storage/storageAccounts/blobServices' (categories "
        "Capacity, Transaction) and 'Supported log categories - Microsoft.Storage/storageAccounts/blobServices'; "
        "Azure/azure-powershell#6520 shows the 'AllMetrics' refusal",
    ),
    "Microsoft.KeyVault/vaults": Categories(
        metrics=("AllMetrics",),
        log_groups=_LOG_GROUPS,
        logs=("AuditEvent", "AzurePolicyEvaluationDetails"),
        source=f"{_REF}: 'Supported metrics for Microsoft.KeyVault/vaults', 'Supported log categories - "
        "Microsoft.KeyVault/vaults'",
    ),
    "Microsoft.DBforPostgreSQL/flexibleServers": Categories(
        metrics=("AllMetrics",),
        log_groups=_LOG_GROUPS,
        logs=(
            "PostgreSQLLogs",
            "PostgreSQLFlexSessions",
            "PostgreSQLFlexQueryStoreRuntime",
            "PostgreSQLFlexQueryStoreWaitStats",
            "PostgreSQLFlexTableStats",
            "PostgreSQLFlexDatabaseXacts",
        ),
        source=f"{_REF}: 'Supported metrics for Microsoft.DBforPostgreSQL/flexibleServers', 'Supported log "
        "categories - Microsoft.DBforPostgreSQL/flexibleServers'",
    ),
    "Microsoft.Cache/redis": Categories(
        metrics=("AllMetrics",),
        log_groups=_LOG_GROUPS,
        logs=("ConnectedClientList", "MSEntraAuthenticationAuditLog"),
        source=f"{_REF}: 'Supported metrics for Microsoft.Cache/redis', 'Supported log categories - "
        "Microsoft.Cache/redis'",
    ),
    "Microsoft.DocumentDB/databaseAccounts": Categories(
        # Cosmos DB exports its platform metrics by category, not as one AllMetrics set.
        metrics=("Requests", "SLI"),
        log_groups=_LOG_GROUPS,
        logs=(
            "DataPlaneRequests",
            "MongoRequests",
            "GremlinRequests",
            "QueryRuntimeStatistics",
            "PartitionKeyStatistics",
            "PartitionKeyRUConsumption",
            "ControlPlaneRequests",
        ),
        source=f"{_REF}: 'Supported metrics for Microsoft.DocumentDB/databaseAccounts' (diagnostic-setting "
        "categories Requests, SLI), 'Supported log categories - Microsoft.DocumentDB/databaseAccounts'; Learn, "
        "'Monitor Azure Cosmos DB data by using diagnostic settings'",
    ),
    "Microsoft.DataProtection/backupVaults": Categories(
        metrics=("Health",),
        log_groups=("allLogs",),
        logs=(
            "CoreAzureBackup",
            "AddonAzureBackupJobs",
            "AddonAzureBackupPolicy",
            "AddonAzureBackupProtectedInstance",
        ),
        source=f"{_REF}: 'Supported metrics for Microsoft.DataProtection/backupVaults' (category Health), "
        "'Supported log categories - Microsoft.DataProtection/backupVaults'; Learn, 'Diagnostics event for Azure "
        "Backup vault' (the Azure Backup resource-specific tables)",
    ),
    "Microsoft.ContainerService/managedClusters": Categories(
        metrics=("AllMetrics",),
        log_groups=_LOG_GROUPS,
        logs=("kube-apiserver", "kube-audit-admin", "kube-controller-manager", "cluster-autoscaler", "guard"),
        source=f"{_REF}: 'Supported metrics for Microsoft.ContainerService/managedClusters', 'Supported log "
        "categories - Microsoft.ContainerService/managedClusters'",
    ),
    "Microsoft.ContainerRegistry/registries": Categories(
        metrics=("AllMetrics",),
        log_groups=_LOG_GROUPS,
        logs=("ContainerRegistryRepositoryEvents", "ContainerRegistryLoginEvents"),
        source=f"{_REF}: 'Supported metrics for Microsoft.ContainerRegistry/registries', 'Supported log "
        "categories - Microsoft.ContainerRegistry/registries'",
    ),
}

#: Pulumi type token of a resource -> its ARM type (the row of ``CATEGORIES`` its diagnostics use).
ARM_TYPES: dict[str, str] = {
    "azure-native:dataprotection:BackupVault": "Microsoft.DataProtection/backupVaults",
    "azure-native:containerservice:ManagedCluster": "Microsoft.ContainerService/managedClusters",
    "azure-native:storage:BlobServiceProperties": "Microsoft.Storage/storageAccounts/blobServices",
    "azure-native:keyvault:Vault": "Microsoft.KeyVault/vaults",
    "azure-native:dbforpostgresql:Server": "Microsoft.DBforPostgreSQL/flexibleServers",
    "azure-native:redis:Redis": "Microsoft.Cache/redis",
    "azure-native:cosmosdb:DatabaseAccount": "Microsoft.DocumentDB/databaseAccounts",
    "azure-native:containerregistry:Registry": "Microsoft.ContainerRegistry/registries",
}


def categories_for(resource: pulumi.CustomResource) -> Categories:
    """The row for ``resource``'s type; a type without a row is a programming error, not a guess."""
    token = resource.pulumi_resource_type
    if token not in ARM_TYPES:
        raise KeyError(f"no diagnostic categories recorded for {token}; add a row to azure_dr.components.diagnostics")
    return CATEGORIES[ARM_TYPES[token]]
