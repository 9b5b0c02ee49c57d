"""Composer for the DR operations layer of one region: long-term backup, compliance storage, alerts and drills.

Like ``azure_dr.components.stack.region`` it is the one place that reads the stack config; the components it builds
(``LongTermBackup``, ``ComplianceContainer``, ``DrAlerts``, ``ChaosDrills``) take their own args. What depends on
the role:

- the Backup vault protects the *active* server; a server listed in ``backup.retained_instances`` keeps its
  instance (and recovery points) after a promotion until released, so a promotion creates an instance in the
  new active region and deletes none;
- the replica-lag and Redis link alerts watch the standby's replica and geo-secondary; the backup alerts watch
  the vault holding instances; Cosmos and Front Door alerts live with the global owner;
- drills fault the active region only, and only when ``drills.enabled``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from ..alerts import (
    BACKUP_AGE_QUERY,
    BACKUP_FAILED_JOBS_QUERY,
    DrAlerts,
    DrAlertsArgs,
    LogAlertSpec,
    MetricAlertSpec,
    Receiver,
)
from ..backup import LongTermBackup, LongTermBackupArgs, ProtectedServer
from ..compliance import ComplianceContainer, ComplianceContainerArgs
from ..drills import ChaosDrills, ChaosDrillsArgs, DrillTarget
from ..facts.health_signals import Thresholds, thresholds
from ..facts.regions import region as region_facts
from ..interfaces import DataInterfaces
from ..naming import Names
from ..network import FREE_PRIORITY
from .config import StackConfig


def stack_thresholds(cfg: StackConfig) -> Thresholds:
    """The stack's alert thresholds, from its objectives (the only input)."""
    return thresholds(
        postgres_rpo_minutes=cfg.objective("postgresql").rpo_minutes,
        cosmos_rpo_minutes=cfg.objective("cosmos").rpo_minutes,
        redis_rpo_minutes=cfg.objective("redis").rpo_minutes,
        shortest_rto_minutes=min(cfg.objective(s).rto_minutes for s in ("postgresql", "cosmos", "redis", "routing")),
        rpo_fraction=cfg.alerts.rpo_fraction,
    )


def protected_server_names(cfg: StackConfig, names: Names) -> list[str]:
    """Servers whose backup instance this region's vault declares: the active server, then retained ones."""
    own = names.postgres(cfg.postgres.generation)
    found = [own] if cfg.is_active else []
    return found + [n for n in cfg.backup.retained_instances if n not in found]


@dataclass(frozen=True)
class RegionRefs:
    """What the region built that the operations layer watches (contract values and a few more)."""

    contract: Mapping[str, pulumi.Input[Any]]
    interfaces: DataInterfaces
    subscription_id: pulumi.Input[str]
    #: the Cosmos account's own id (it may live in another resource group than the region's).
    cosmos_account_id: pulumi.Input[str] | None = None
    #: every server generation this stack declares (current and retired): physical name -> its id.
    server_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


def _arm(subscription: pulumi.Input[str], group: pulumi.Input[str], path: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.concat("/subscriptions/", subscription, "/resourceGroups/", group, path)


def add_dr_operations(
    parent: pulumi.ComponentResource, name: str, cfg: StackConfig, names: Names, refs: RegionRefs
) -> dict[str, pulumi.ComponentResource]:
    """Build the region's DR operations layer under ``parent``; returns the components by role."""
    opts = pulumi.ResourceOptions(parent=parent)
    c, sub, rg = refs.contract, refs.subscription_id, refs.interfaces.resource_group_name
    built: dict[str, pulumi.ComponentResource] = {}
    backup = None
    if cfg.backup.enabled:
        own = names.postgres(cfg.postgres.generation)
        servers = [
            ProtectedServer(
                server_name=server,
                # A server this stack declares: its own id (a dependency); another one's is built from its name.
                server_id=c["postgres_server_id"]
                if server == own
                else refs.server_ids.get(server)
                or _arm(sub, rg, f"/providers/Microsoft.DBforPostgreSQL/flexibleServers/{server}"),
                resource_group_id=_arm(sub, rg, ""),
            )
            for server in protected_server_names(cfg, names)
        ]
        b = cfg.backup
        backup = LongTermBackup(
            f"{name}-backup",
            LongTermBackupArgs(
                vault_name=names.backup_vault,
                policy_name_prefix="pgflex",
                subscription_id=sub,
                interfaces=refs.interfaces,
                retention_years=cfg.objectives.long_term_retention_years,
                redundancy=b.redundancy,
                cross_region_restore=b.cross_region_restore,
                soft_delete=b.soft_delete,
                soft_delete_days=b.soft_delete_days,
                immutability=b.immutability,
                weekly_backup_day=b.weekly_backup_day,
                weekly_backup_hour_utc=b.weekly_backup_hour_utc,
                servers=servers,
            ),
            opts=opts,
        )
        built["backup"] = backup
        if b.compliance_container is not None:
            built["compliance"] = ComplianceContainer(
                f"{name}-compliance",
                ComplianceContainerArgs(
                    account_name=pulumi.Output.from_input(c["storage_account_id"]).apply(
                        lambda rid: str(rid).rsplit("/", 1)[-1]
                    ),
                    resource_group_name=rg,
                    container_name=b.compliance_container,
                    retention_years=cfg.objectives.long_term_retention_years,
                    removal_policy=cfg.removal_policy,
                ),
                opts=opts,
            )
    if cfg.alerts.enabled:
        built["alerts"] = _alerts(parent, name, cfg, names, refs, has_instances=bool(backup and backup.instances))
    if cfg.drills.enabled and cfg.is_active:
        targets = _drill_targets(cfg, refs)
        if targets:
            built["drills"] = ChaosDrills(
                f"{name}-drills",
                ChaosDrillsArgs(
                    experiment_prefix=names.chaos_experiment_prefix,
                    resource_group_name=rg,
                    location=cfg.region,
                    subscription_id=sub,
                    targets=targets,
                    duration_minutes=cfg.drills.duration_minutes,
                    tags=dict(refs.interfaces.tags),
                ),
                opts=opts,
            )
    return built


def _alerts(
    parent: pulumi.ComponentResource,
    name: str,
    cfg: StackConfig,
    names: Names,
    refs: RegionRefs,
    *,
    has_instances: bool,
) -> DrAlerts:
    t, c = stack_thresholds(cfg), refs.contract
    window = t.window_minutes
    metric: list[MetricAlertSpec] = []
    # Alerts follow what replicates, not the role: a role switch must not write into a region that may be down
    # (the demoted stack's server is not a replica until a rebuild or a switchover settles).
    pg = cfg.postgres
    if pg.state == "replica" or (pg.state == "new" and pg.create_as == "replica"):
        metric.append(MetricAlertSpec("pg-replica-lag", c["postgres_server_id"], t.pg_replica_lag_seconds, window))
    if cfg.redis.enabled and cfg.redis.geo_secondary:
        metric.append(
            MetricAlertSpec("redis-link-health", c["redis_cache_id"], t.for_signal("redis-link-health"), window)
        )
        metric.append(MetricAlertSpec("redis-link-lag", c["redis_cache_id"], t.redis_link_lag_seconds, window))
    if cfg.owns_global and cfg.cosmos.enabled and refs.cosmos_account_id is not None:
        cosmos_id = refs.cosmos_account_id
        metric.append(MetricAlertSpec("cosmos-replication-latency", cosmos_id, t.cosmos_replication_latency_ms, window))
        # ServiceAvailability has a one-hour grain: a shorter window has no data point.
        metric.append(MetricAlertSpec("cosmos-availability", cosmos_id, t.for_signal("cosmos-availability"), 60))
    if cfg.owns_global and cfg.routing.kind == "frontdoor":
        profile_id = c["frontdoor_profile_id"]
        metric.append(
            MetricAlertSpec("frontdoor-origin-health", profile_id, t.for_signal("frontdoor-origin-health"), window)
        )
    logs: list[LogAlertSpec] = []
    if has_instances:
        logs.append(LogAlertSpec("backup-job-failure", BACKUP_FAILED_JOBS_QUERY, t.for_signal("backup-job-failure")))
        logs.append(
            LogAlertSpec("backup-age", BACKUP_AGE_QUERY, t.backup_age_hours, window_minutes=1440, frequency_minutes=360)
        )
    a = cfg.alerts
    return DrAlerts(
        f"{name}-alerts",
        DrAlertsArgs(
            action_group_name=names.action_group,
            short_name=names.action_group_short,
            resource_group_name=refs.interfaces.resource_group_name,
            location=cfg.region,
            workspace_id=c["log_analytics_workspace_id"],
            emails=[Receiver(r.name, r.address) for r in a.email_receivers],
            webhooks=[Receiver(r.name, r.uri) for r in a.webhook_receivers],
            metric_alerts=metric,
            log_alerts=logs,
            tags=dict(refs.interfaces.tags),
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _parsed(arm_id: str) -> tuple[str, str]:
    """(resource group, name) of an ARM id validated by config."""
    parts = arm_id.split("/")
    return parts[4], parts[-1]


def _drill_targets(cfg: StackConfig, refs: RegionRefs) -> list[DrillTarget]:
    c, rg, d = refs.contract, refs.interfaces.resource_group_name, cfg.drills
    targets: list[DrillTarget] = []
    account = refs.cosmos_account_id
    if "cosmos-failover" in d.experiments and cfg.owns_global and account is not None and cfg.peer_region:
        account_id = pulumi.Output.from_input(account)
        targets.append(
            DrillTarget(
                "cosmos-failover",
                c["cosmos_account_name"],
                account_id.apply(lambda i: str(i).split("/resourceGroups/", 1)[1].split("/", 1)[0]),
                account_id,
                {"readRegion": region_facts(cfg.peer_region).display_name},
            )
        )
    if "redis-reboot" in d.experiments and cfg.redis.enabled:
        cache = c["redis_cache_id"]
        targets.append(
            DrillTarget(
                "redis-reboot", pulumi.Output.from_input(cache).apply(lambda i: str(i).rsplit("/", 1)[-1]), rg, cache
            )
        )
    if "nsg-block" in d.experiments and d.app_nsg_id:
        group, nsg = _parsed(d.app_nsg_id)
        targets.append(DrillTarget("nsg-block", nsg, group, d.app_nsg_id, {"priority": str(FREE_PRIORITY)}))
    if "aks-pod-chaos" in d.experiments and d.aks_cluster_id:
        group, cluster = _parsed(d.aks_cluster_id)
        targets.append(
            DrillTarget("aks-pod-chaos", cluster, group, d.aks_cluster_id, {"namespace": cfg.workload_namespace})
        )
    return targets
