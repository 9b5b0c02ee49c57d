"""Documented recovery figures per DR mechanism: the modeled RPO/RTO the plan and the policy pack compare
against the objectives.

Figures are Azure's published numbers (or, where Azure publishes none, a stated model); each carries its
source so a reviewer can check it. They model a regional outage, not logical corruption.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The tag naming the mechanism a stateful resource relies on (keys of MECHANISMS, or "redis-persistence").
MECHANISM_TAG = "azure-dr:dr-mechanism"

# The tag marking a cache that is the geo-secondary of its peer's (the link it declares must exist): a cache
# unlinked by a forced promotion, waiting for the rebuild, carries none.
GEO_SECONDARY_TAG = "azure-dr:geo-secondary"

# The tag marking a PostgreSQL server that is a read replica now: created as one, or demoted by a switchover
# (its declaration then has no backup and no HA; Learn, "Read replicas in Azure Database for PostgreSQL").
POSTGRES_REPLICA_TAG = "azure-dr:postgres-replica"

# The tag marking the global layer's resource group: a stack's own region is where its regional group lives.
SCOPE_TAG = "azure-dr:scope"

# Storage SKUs that keep a copy in the region's Azure pair (Learn, "Azure Storage redundancy").
GEO_REDUNDANT_STORAGE_SKUS: frozenset[str] = frozenset(
    {"Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS", "StandardV2_GRS", "StandardV2_GZRS"}
)

# Resources whose loss is data loss: protected, locked, covered by a DR mechanism, never replaced by a switch.
STATEFUL_TYPES: frozenset[str] = frozenset(
    {
        "azure-native:dbforpostgresql:Server",
        "azure-native:keyvault:Vault",
        "azure-native:storage:StorageAccount",
        "azure-native:cosmosdb:DatabaseAccount",
        "azure-native:containerregistry:Registry",
        "azure-native:redis:Redis",
        "azure-native:containerservice:ManagedCluster",
        "azure-native:dataprotection:BackupVault",
        "azure-native:operationalinsights:Workspace",
    }
)


@dataclass(frozen=True)
class Mechanism:
    """How a service survives the loss of its region, and what that costs in data and time."""

    key: str
    service: str
    description: str
    rpo_minutes: float
    rto_minutes: float
    source: str


MECHANISMS: dict[str, Mechanism] = {
    m.key: m
    for m in (
        Mechanism(
            "postgres-replica",
            "postgresql",
            "cross-region read replica, promoted (Forced/Planned)",
            5,
            15,
            "Learn, 'Overview of business continuity with Azure Database for PostgreSQL flexible server': "
            "read replicas RPO/RTO in minutes (replication lag)",
        ),
        Mechanism(
            "postgres-geo-backup",
            "postgresql",
            "geo-restore from geo-redundant backup",
            60,
            720,
            "Learn, same page: geo-restore RPO < 1 h, RTO varies with size (modeled 12 h)",
        ),
        Mechanism(
            "cosmos-service-managed-failover",
            "cosmos",
            "multi-region account, service-managed failover",
            15,
            15,
            "Learn, 'Consistency, availability and performance tradeoffs' / 'High availability "
            "in Azure Cosmos DB': single write region, RPO < 15 min, RTO < 15 min",
        ),
        Mechanism(
            "cosmos-strong-failover",
            "cosmos",
            "multi-region account, Strong consistency",
            0,
            15,
            "Learn, same pages: Strong consistency RPO 0",
        ),
        Mechanism(
            "storage-geo-failover",
            "storage",
            "GRS/GZRS customer-managed account failover",
            15,
            60,
            "Learn, 'Azure Storage redundancy' / 'customer-managed failover': RPO typically < 15 min "
            "(no SLA), failover typically about an hour",
        ),
        Mechanism(
            "acr-geo-replication",
            "registry",
            "geo-replicated registry, regional endpoint routing",
            5,
            5,
            "Learn, 'Geo-replication in Azure Container Registry': replicas sync asynchronously and "
            "requests route to a healthy replica (modeled minutes)",
        ),
        Mechanism(
            "redis-geo-replication",
            "redis",
            "passive geo-replication, unlinked to fail over",
            5,
            30,
            "Learn, 'Configure passive geo-replication': asynchronous, no guaranteed recovery point; "
            "manual unlink (modeled 5 min RPO, 30 min RTO)",
        ),
        Mechanism(
            "keyvault-regional",
            "keyvault",
            "a vault per region, secrets deployed to both",
            0,
            0,
            "this design: each stack owns its vault; nothing to fail over",
        ),
    )
}


def redis_persistence(frequency_minutes: int) -> Mechanism:
    """RDB snapshots: you lose up to one snapshot interval and rebuild the cache from the snapshot."""
    return Mechanism(
        "redis-persistence",
        "redis",
        f"RDB snapshots every {frequency_minutes} min",
        frequency_minutes,
        120,
        "Learn, 'Configure data persistence': RDB loses writes since the last snapshot; "
        "import into a new cache (modeled 2 h)",
    )


def frontdoor_failover(probe_interval_seconds: int, sample_size: int = 4) -> Mechanism:
    """Probes fail an origin over after a sample window of failed probes; no data at risk."""
    minutes = math.ceil(probe_interval_seconds * sample_size / 60) + 1
    return Mechanism(
        "frontdoor-priority",
        "routing",
        "Front Door priority origins with health probes",
        0,
        minutes,
        "Learn, 'Health probes' (Front Door): an origin is unhealthy after the sample window "
        "fails; modeled as interval x sample size + 1 min",
    )


def trafficmanager_failover(interval_seconds: int, tolerated_failures: int = 3, ttl_seconds: int = 30) -> Mechanism:
    minutes = math.ceil((interval_seconds * (tolerated_failures + 1) + ttl_seconds) / 60)
    return Mechanism(
        "trafficmanager-priority",
        "routing",
        "Traffic Manager priority endpoints",
        0,
        minutes,
        "Learn, 'Traffic Manager endpoint monitoring': failover after tolerated failures plus DNS TTL",
    )


# The cluster autoscaler's default ``max-node-provision-time`` (Microsoft Learn, "Use the cluster autoscaler in
# AKS", cluster autoscaler profile): the longest a scale-out waits for a new node. Promotion raises the
# autoscalers' floors from the warm to the full count, so this bounds the time to full capacity.
AKS_SCALE_OUT_MINUTES = 15


def aks_warm_standby(backup_interval_minutes: int) -> Mechanism:
    """A warm cluster in each region scaled out on promotion; cluster state restored from Velero backups.

    RPO is the longest gap between two scheduled backups (state written since the last one is lost); RTO is the
    scale-out of the warm workloads to full size.
    """
    return Mechanism(
        "aks-warm-standby",
        "compute",
        f"warm AKS cluster per region, Velero backup every {backup_interval_minutes / 60:g} h",
        backup_interval_minutes,
        AKS_SCALE_OUT_MINUTES,
        "Velero docs, 'Schedule API type' (cron schedule; RPO = the longest gap between backups); Learn, "
        "'Use the cluster autoscaler in AKS' (max-node-provision-time 15 min bounds the scale-out)",
    )
